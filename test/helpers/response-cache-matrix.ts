/**
 * One scenario list, two frameworks: an app described once (routes with a framework-neutral
 * handler) is built as a real Express 5 app and a real Koa 3 app, each listening on 127.0.0.1.
 */
import { describe } from 'node:test';
import { express5 } from './response-cache-express.ts';
import type { Framework } from './response-cache-harness.ts';
import { koa3 } from './response-cache-koa.ts';

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

export const frameworks: readonly Framework[] = [express5, koa3];

/** Runs `body` once per framework, in a `describe` block suffixed with the framework's name. */
export function describeMatrix(title: string, body: (fw: Framework) => void): void {
  for (const fw of frameworks) describe(`${title} [${fw.name}]`, () => body(fw));
}
