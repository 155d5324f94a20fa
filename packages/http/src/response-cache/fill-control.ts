import { type Duration, parseDuration } from '@larder/core';
import { FN } from './options.ts';
import type { ResponseCacheControl } from './types.ts';

/** Handler-level control of one fill: tags, skip, ttl. */
export class FillControl implements ResponseCacheControl {
  tags: string[] | undefined;
  skipped = false;
  seconds: number | undefined;

  tag(...tags: string[]): void {
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag === '') {
        throw new TypeError(`${FN}: control.tag() takes non-empty strings, got ${String(tag)}`);
      }
    }
    if (this.tags === undefined) this.tags = [];
    this.tags.push(...tags);
  }

  skip(): void {
    this.skipped = true;
  }

  ttl(duration: Duration): void {
    this.seconds = parseDuration(duration, `${FN} control.ttl()`, 'duration');
  }
}
