import type { ServerResponse } from 'node:http';
import type { HeaderPatch } from '@larder/http';

/** Writes a patch computed by `@larder/http` onto a Node/Express response: removals, then sets. */
export function applyHeaderPatch(res: ServerResponse, patch: HeaderPatch): void {
  for (const name of patch.remove) res.removeHeader(name);
  for (const [name, value] of Object.entries(patch.set)) res.setHeader(name, value);
}
