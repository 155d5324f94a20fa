/**
 * One contender's HTTP server, started by run.mjs (pinned to its own core) with an IPC channel:
 * it sends `{ ready, port }` or `{ skip }`, and answers `'stats'` with the handler-call counts per
 * path and the process's CPU time so far (user + system, microseconds).
 * Usage: node server.mjs <contender> <port>
 */
import { createServer } from 'node:http';
import { createContender } from './apps.mjs';

const [name, port] = process.argv.slice(2);
const contender = await createContender(name);

if (contender.skip) {
  process.send?.({ skip: contender.skip });
  process.exit(0);
}

const server = createServer(contender.listener);
server.listen(Number(port), '127.0.0.1', () => {
  process.send?.({ ready: true, port: server.address().port });
});

process.on('message', (message) => {
  if (message !== 'stats') return;
  const { user, system } = process.cpuUsage();
  process.send?.({ calls: Object.fromEntries(contender.calls), cpu: user + system });
});
// The parent's disconnect (or death) ends the server.
process.on('disconnect', () => process.exit(0));
