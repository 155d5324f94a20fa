import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';

const server = createApp().listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  // The port actually bound (PORT=0 picks a free one).
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.stdout.write(`Larder demo on ${base}

  curl -i ${base}/slow                   # 1st: about a second, X-Cache: MISS
  curl -i ${base}/slow                   # again: at once, X-Cache: HIT and Age
  curl -I ${base}/slow                   # HEAD, answered from the same entry
  etag=$(curl -sI ${base}/slow | tr -d '\\r' | sed -n 's/^[Ee][Tt]ag: //p')
  curl -i -H "If-None-Match: $etag" ${base}/slow   # 304 Not Modified, no body
  curl -i -X POST ${base}/purge          # drop the cached report (POST is never cached)
  curl -i ${base}/slow                   # MISS again, a new build

`);
});
