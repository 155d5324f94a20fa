/**
 * Starts two workers with node:cluster, sharing one port and one Redis (`REDIS_URL`, default
 * redis://127.0.0.1:6379). `PORT` (default 3000) and `WORKERS` (default 2) are read from the
 * environment.
 */
import cluster from 'node:cluster';
import { Redis } from 'ioredis';
import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 3000);
const workers = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork({ WORKER_NAME: `worker-${i + 1}` });
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === workers) {
      process.stdout.write(`redis-workers example on http://127.0.0.1:${port}/products/1\n`);
    }
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  client.on('error', () => {});
  createApp(client, process.env.WORKER_NAME ?? 'worker').listen(port, '127.0.0.1');
}
