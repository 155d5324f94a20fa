import { createMemoryStore } from '@larder/core';
const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc!;
function mem() { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; }
const mode = process.argv[2];
const store = createMemoryStore({ maxEntries: N, maxBytes: Number.POSITIVE_INFINITY });
const keep: unknown[] = [];
const before = mem();
for (let i = 0; i < N; i++) {
  const key = `larder:rc:/item/${i}\0\0\0\0\0${7}`;
  const src = Buffer.from('x'.repeat(2048));
  let body: Buffer;
  if (mode === 'pooled') body = src; else { body = Buffer.allocUnsafeSlow(2048); src.copy(body); }
  const h = { 'x-powered-by': 'Express', 'content-type': 'text/html; charset=utf-8', etag: `W/"800-${i.toString(16).padStart(27, 'a')}"`, 'content-length': String(2048), date: new Date(Date.now()+i*1000).toUTCString() };
  (h as any)['last-modified'] = h.date;
  const now = Date.now() + i;
  const value = mode === 'bodyonly' ? body : { v: 1, h, b: body, t: now, f: now + 3600e3, w: now + 3600e3, e: now + 3600e3 };
  store.set(key, value, 3600);
}
const used = mem() - before; keep.push(store.size);
console.log(store.size, mode, { ratio: used / (N * 2048), perEntryOverhead: (used - N * 2048) / N });
