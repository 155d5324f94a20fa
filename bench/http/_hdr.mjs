import { createServer } from 'node:http';
import { createContender } from '/work/main/bench/http/apps.mjs';
for (const name of ['larder-express','express-limit','apicache','larder-koa','koa-limit','koa-cash']) {
  const c = await createContender(name);
  const s = createServer(c.listener); await new Promise(r=>s.listen(0,'127.0.0.1',r));
  const url = `http://127.0.0.1:${s.address().port}/slow`;
  await fetch(url).then(r=>r.arrayBuffer());
  const r = await fetch(url); await r.arrayBuffer();
  console.log(name, JSON.stringify([...r.headers]));
  s.close(); s.closeAllConnections();
}
