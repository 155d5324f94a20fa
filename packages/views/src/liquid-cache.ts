import { checkOptions } from '@larder/core';
import {
  type Context,
  type Emitter,
  evalTokenValue,
  type Liquid,
  type Parser,
  Tag,
  type TagToken,
  type Template,
  type TopLevelToken,
  TypeGuards,
  toPromise,
  toValueSync,
} from 'liquidjs';
import { checkName } from './check-options.ts';
import {
  createFragmentCache,
  FRAGMENT_OPTIONS,
  type FragmentCache,
  type FragmentCacheOptions,
} from './fragment-cache.ts';
import { templateDigest } from './fragment-key.ts';

/** Options of {@link liquidCache}: the fragment cache's options plus the tag's name. */
export interface LiquidCacheOptions extends FragmentCacheOptions {
  /** The block tag's name; its end tag is `end` + name. @default 'cache' */
  readonly tagName?: string;
}

const FN = 'liquidCache';
const NAMED = ['ttl', 'tags'];

/**
 * Registers a `{% cache key %}…{% endcache %}` block tag on a LiquidJS instance and returns the
 * fragment cache behind it (for `invalidate` and `invalidateTags`). The first argument is the key
 * expression; further comma-separated expressions are values the fragment varies on; `ttl:` and
 * `tags:` set this block's lifetime and tags. On a hit the block's body is not rendered.
 *
 * @example
 * const fragments = liquidCache(liquid, { cache: createCache(), ttl: '10m' });
 * // {% cache 'sidebar', user.id, ttl: '1h', tags: 'users' %}…{% endcache %}
 */
export function liquidCache(liquid: Liquid, options?: LiquidCacheOptions): FragmentCache {
  if (typeof liquid !== 'object' || liquid === null || typeof liquid.registerTag !== 'function') {
    throw new TypeError(`${FN}: the first argument must be a LiquidJS Liquid instance`);
  }
  const { tagName: name, ...rest } = checkOptions(options, [...FRAGMENT_OPTIONS, 'tagName'], FN);
  const tagName = checkName(name, 'cache', FN, 'tagName');
  const fragments = createFragmentCache(rest, FN);
  liquid.registerTag(tagName, cacheTagClass(fragments, tagName));
  return fragments;
}

function cacheTagClass(fragments: FragmentCache, tagName: string) {
  const endName = `end${tagName}`;
  type ValueToken = NonNullable<ReturnType<Tag['tokenizer']['readValue']>>;
  return class CacheTag extends Tag {
    readonly key: ValueToken;
    readonly vary: ValueToken[] = [];
    readonly named = new Map<string, ValueToken | undefined>();
    readonly templates: Template[] = [];
    readonly template: string;
    readonly where: string;

    constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
      super(token, remain, liquid);
      this.where = `{% ${tagName} %} in ${token.file ?? 'a template'} line ${token.getPosition()[0]}`;
      const tokenizer = this.tokenizer;
      const separator = liquid.options.keyValueSeparator ?? ':';
      const key = tokenizer.readValue();
      if (key === undefined) throw tokenizer.error(`${this.where}: a key expression is required`);
      this.key = key;
      // Positional values (`, user.id`) until the first `name:` pair.
      for (;;) {
        tokenizer.skipBlank();
        if (tokenizer.peek() !== ',') break;
        tokenizer.advance();
        const at = tokenizer.p;
        const id = tokenizer.readNonEmptyIdentifier();
        tokenizer.skipBlank();
        const isNamed = id !== undefined && tokenizer.peek() === separator;
        tokenizer.p = at;
        if (isNamed) break;
        const value = tokenizer.readValue();
        if (value === undefined) throw tokenizer.error(`${this.where}: expected a value after ","`);
        this.vary.push(value);
      }
      for (const hash of tokenizer.readHashes(separator)) {
        const option = hash.name.content;
        if (!NAMED.includes(option)) {
          throw tokenizer.error(
            `${this.where}: unknown argument "${option}" (known: ${NAMED.join(', ')})`,
          );
        }
        this.named.set(option, hash.value);
      }
      tokenizer.skipBlank();
      if (!tokenizer.end()) {
        throw tokenizer.error(`${this.where}: unexpected "${tokenizer.remaining()}"`);
      }
      this.template = fragments.digest ? templateDigest(token.input) : '';
      while (remain.length > 0) {
        const next = remain.shift() as TopLevelToken;
        if (TypeGuards.isTagToken(next) && next.name === endName) return;
        this.templates.push(parser.parseToken(next, remain));
      }
      throw new Error(`${this.where}: not closed with {% ${endName} %}`);
    }

    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const key = yield evalTokenValue(this.key, ctx);
      const vary: unknown[] = [];
      for (const token of this.vary) vary.push(yield evalTokenValue(token, ctx));
      const ttlToken = this.named.get('ttl');
      const tagsToken = this.named.get('tags');
      const block = {
        key,
        vary,
        template: this.template,
        where: this.where,
        ...(ttlToken === undefined ? {} : { ttl: yield evalTokenValue(ttlToken, ctx) }),
        ...(tagsToken === undefined ? {} : { tags: yield evalTokenValue(tagsToken, ctx) }),
      };
      const renderer = this.liquid.renderer;
      if (ctx.sync) {
        // renderSync cannot wait: hits come from a store that answers synchronously (memory).
        emitter.write(
          fragments.renderSync(
            block,
            () => toValueSync(renderer.renderTemplates(this.templates, ctx)) as string,
          ),
        );
        return;
      }
      const html = yield fragments.render(
        block,
        () => toPromise(renderer.renderTemplates(this.templates, ctx)) as Promise<string>,
      );
      emitter.write(html);
    }
  };
}
