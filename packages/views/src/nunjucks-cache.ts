import { checkOptions } from '@larder/core';
import type { Environment } from 'nunjucks';
import { checkName } from './check-options.ts';
import {
  createFragmentCache,
  FRAGMENT_OPTIONS,
  type FragmentCache,
  type FragmentCacheOptions,
} from './fragment-cache.ts';
import { templateDigest } from './fragment-key.ts';

/** Options of {@link nunjucksCache}: the fragment cache's options plus the tag's name. */
export interface NunjucksCacheOptions extends FragmentCacheOptions {
  /** The block tag's name; its end tag is `end` + name. @default 'cache' */
  readonly tagName?: string;
}

const FN = 'nunjucksCache';
const NAMED = ['ttl', 'tags'];

// The parts of Nunjucks' parser API an extension uses (docs/api.md, "Custom Tags"); the published
// types leave them as `any`.
interface NodeLike {
  typename?: string;
  children?: NodeLike[];
  key?: { value?: unknown };
}
interface ParserLike {
  tokens: { str: string };
  nextToken(): { value: string; lineno: number; colno: number };
  parseSignature(tolerant: null, noParens: boolean): NodeLike;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): NodeLike;
  fail(message: string, lineno?: number, colno?: number): never;
}
interface NodesLike {
  Literal: new (lineno: number, colno: number, value: string) => NodeLike;
  CallExtensionAsync: new (
    ext: object,
    prop: string,
    args: NodeLike,
    contentArgs: NodeLike[],
  ) => NodeLike;
}
type Body = (done: (error: Error | null, html?: string) => void) => void;
type Done = (error: Error | null, result?: unknown) => void;

/**
 * Registers a `{% cache key %}…{% endcache %}` block tag on a Nunjucks `Environment` (an async
 * extension) and returns the fragment cache behind it. The first argument is the key expression;
 * further positional arguments are values the fragment varies on; `ttl=` and `tags=` set this
 * block's lifetime and tags. On a hit the body is not rendered. The output is marked safe, so
 * cached HTML is not escaped twice. Templates must be rendered asynchronously (with a callback, as
 * Express's `res.render` does).
 *
 * @example
 * const fragments = nunjucksCache(env, { cache: createCache(), ttl: '10m' });
 * // {% cache "sidebar", user.id, ttl="1h", tags=["users"] %}…{% endcache %}
 */
export function nunjucksCache(env: Environment, options?: NunjucksCacheOptions): FragmentCache {
  if (typeof env !== 'object' || env === null || typeof env.addExtension !== 'function') {
    throw new TypeError(`${FN}: the first argument must be a Nunjucks Environment`);
  }
  const { tagName: name, ...rest } = checkOptions(options, [...FRAGMENT_OPTIONS, 'tagName'], FN);
  const tagName = checkName(name, 'cache', FN, 'tagName');
  const fragments = createFragmentCache(rest, FN);
  const markSafe = env.getFilter('safe') as (html: string) => unknown;
  const endName = `end${tagName}`;

  const extension = {
    tags: [tagName],
    parse(parser: ParserLike, nodes: NodesLike): NodeLike {
      const start = parser.nextToken();
      const args = parser.parseSignature(null, true);
      const children = args.children ?? [];
      const positional = children.filter((child) => child.typename !== 'KeywordArgs');
      if (positional.length === 0) {
        parser.fail(`{% ${tagName} %}: a key expression is required`, start.lineno, start.colno);
      }
      for (const child of children) {
        if (child.typename !== 'KeywordArgs') continue;
        for (const pair of child.children ?? []) {
          const option = String(pair.key?.value);
          if (!NAMED.includes(option)) {
            parser.fail(
              `{% ${tagName} %}: unknown argument "${option}" (known: ${NAMED.join(', ')})`,
              start.lineno,
              start.colno,
            );
          }
        }
      }
      parser.advanceAfterBlockEnd(start.value);
      const body = parser.parseUntilBlocks(endName);
      parser.advanceAfterBlockEnd();
      const template = fragments.digest ? templateDigest(parser.tokens.str) : '';
      const where = `{% ${tagName} %} at line ${start.lineno + 1}`;
      // The digest and position travel as leading literal arguments: the extension is shared by
      // every template, and run() is told nothing else about where it was called from.
      children.unshift(
        new nodes.Literal(start.lineno, start.colno, where),
        new nodes.Literal(start.lineno, start.colno, template),
      );
      return new nodes.CallExtensionAsync(extension, 'run', args, [body]);
    },
    run(_context: unknown, ...args: unknown[]): void {
      const done = args.pop() as Done;
      const body = args.pop() as Body;
      const [where, template, key, ...more] = args as [string, string, unknown, ...unknown[]];
      const last = more[more.length - 1] as { __keywords?: boolean; ttl?: unknown; tags?: unknown };
      const named = typeof last === 'object' && last !== null && last.__keywords === true;
      if (named) more.pop();
      const block = {
        key,
        vary: more,
        template,
        where,
        ...(named && last.ttl !== undefined ? { ttl: last.ttl } : {}),
        ...(named && last.tags !== undefined ? { tags: last.tags } : {}),
      };
      fragments
        .render(
          block,
          () =>
            new Promise<string>((resolve, reject) => {
              body((error, html) => (error ? reject(error) : resolve(html ?? '')));
            }),
        )
        .then(
          (html) => done(null, markSafe(html)),
          (error: Error) => done(error),
        );
    },
  };
  env.addExtension(`LarderCache:${tagName}`, extension);
  return fragments;
}
