/**
 * One scenario list, three servers: an app described once (routes with a framework-neutral
 * handler) is built as a real Express 5 app, a real Koa 3 app and a plain node:http app, each
 * listening on 127.0.0.1.
 */
import { describe } from 'node:test';
import { express5 } from './response-cache-express.ts';
import type { Framework } from './response-cache-harness.ts';
import { koa3 } from './response-cache-koa.ts';
import { nodeHttp } from './response-cache-node.ts';

export type {
  AppSpec,
  CountedAppSpec,
  Exchange,
  Framework,
  Handler,
  Respond,
  RouteSpec,
  TestApp,
} from './response-cache-harness.ts';
export { countedApp, countedRoute, manualClock, until } from './response-cache-harness.ts';

/** `fw` with every app served through `cacheFront(app)`. */
function withFront(fw: Framework): Framework {
  return {
    name: fw.name,
    label: `${fw.name}+front`,
    build: (spec) => fw.build({ ...spec, front: true }),
  };
}

/** True in a process started with `--import ./test/helpers/front-mode.ts`. */
const frontMode = (globalThis as Record<symbol, unknown>)[Symbol.for('larder.test.front')] === true;

/**
 * Both frameworks; in front mode (the front's conformance run preloads front-mode.ts) both served
 * through `cacheFront(app)` instead, so every scenario also runs with the front in place.
 */
export const frameworks: readonly Framework[] = frontMode
  ? [withFront(express5), withFront(koa3)]
  : [express5, koa3, nodeHttp];

/** Runs `body` once per framework, in a `describe` block suffixed with the framework's name. */
export function describeMatrix(title: string, body: (fw: Framework) => void): void {
  for (const fw of frameworks) describe(`${title} [${fw.label ?? fw.name}]`, () => body(fw));
}
