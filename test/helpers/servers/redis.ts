import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findBinary,
  freePort,
  missingBinary,
  run,
  type ServerProcess,
  startServer,
} from './server-process.ts';

const serverBinary = findBinary('redis-server');
const cliBinary = findBinary('redis-cli');

/** Why the Redis suites skip (a binary is missing), or `undefined` when they can run. */
export const redisSkip: string | undefined =
  serverBinary === undefined
    ? missingBinary('redis-server', 'redis-server')
    : cliBinary === undefined
      ? missingBinary('redis-cli', 'redis-tools')
      : undefined;

/** A standalone redis-server on 127.0.0.1 in a temp directory, nothing persisted. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The running process (replaced by {@link restart}). */
  readonly process: ServerProcess;
  /** Runs `redis-cli` against this server and returns its output, e.g. `cli('CONFIG', 'SET', ...)`. */
  cli(...args: string[]): string;
  /** Starts the server again on the same port after a kill or stop (the data is gone). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

// Nothing on disk and no background saves: a test server starts in a few milliseconds. A replica's
// first sync starts at once instead of after the default 5 s diskless-sync delay.
const EPHEMERAL = [
  '--save',
  '',
  '--appendonly',
  'no',
  '--bind',
  '127.0.0.1',
  '--repl-diskless-sync-delay',
  '0',
];

/** Starts a standalone redis-server on a free port (or `port`) with extra `args`. */
export async function startRedis(
  options: { port?: number; args?: readonly string[] } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'larder-redis-'));
  const args = ['--port', String(port), '--dir', dir, ...EPHEMERAL, ...(options.args ?? [])];
  const start = () => startServer(serverBinary as string, args, { port });
  let process = await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return process;
    },
    cli: (...cmd) => cli(port, ...cmd),
    async restart() {
      await process.stop();
      process = await start();
    },
    async stop() {
      await process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs redis-cli against 127.0.0.1:`port`. */
export function cli(port: number, ...args: string[]): string {
  return run(cliBinary as string, ['-h', '127.0.0.1', '-p', String(port), ...args]).trim();
}

/** A Redis Cluster on loopback: three masters, each with one replica. */
export interface RedisCluster {
  /** Every node, masters first as created (the first three are the initial masters). */
  readonly nodes: readonly { port: number; process: ServerProcess }[];
  /** `{ host, port }` of every node, for `new Cluster(startupNodes)`. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** Resolves once every live node reports `cluster_state:ok`. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts six `--cluster-enabled` servers and joins them with `redis-cli --cluster create
 * --cluster-replicas 1`. A node timeout of 1 s lets a replica take over about 2 s after its
 * master dies.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'larder-redis-cluster-'));
  const ports: number[] = [];
  while (ports.length < 6) {
    const port = await freePort();
    // The cluster bus listens on port + 10000: keep both free and distinct.
    if (port < 55_000 && !ports.includes(port)) ports.push(port);
  }
  const nodes = await Promise.all(
    ports.map(async (port) => {
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const args = [
        '--port',
        String(port),
        '--dir',
        nodeDir,
        ...EPHEMERAL,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '1000',
      ];
      return { port, process: await startServer(serverBinary as string, args, { port }) };
    }),
  );
  run(cliBinary as string, [
    '--cluster',
    'create',
    ...ports.map((port) => `127.0.0.1:${port}`),
    '--cluster-replicas',
    '1',
    '--cluster-yes',
  ]);
  const live = () =>
    nodes.filter((n) => n.process.child.exitCode === null && !n.process.child.signalCode);
  const cluster: RedisCluster = {
    nodes,
    startupNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async waitHealthy(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ok = live().every((n) => {
          try {
            return cli(n.port, 'CLUSTER', 'INFO').includes('cluster_state:ok');
          } catch {
            return false;
          }
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error('Redis Cluster did not become healthy');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.process.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.waitHealthy();
  // Every replica must have finished its first sync before a master can be failed over.
  const deadline = Date.now() + 15_000;
  while (
    nodes
      .slice(3)
      .some((n) => !cli(n.port, 'INFO', 'replication').includes('master_link_status:up'))
  ) {
    if (Date.now() > deadline) throw new Error('Redis Cluster replicas did not sync');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return cluster;
}

/** One master, one replica and one sentinel watching them, on loopback. */
export interface RedisSentinel {
  readonly masterName: string;
  readonly master: RedisServer;
  readonly replica: RedisServer;
  readonly sentinelPort: number;
  /** `[{ host, port }]` of the sentinel, for `new Redis({ sentinels, name })`. */
  readonly sentinels: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * Starts a master, a replica of it and a sentinel with a quorum of 1 that declares the master
 * down after 1 s, so a killed master is replaced within about 2-3 s.
 */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const masterName = 'larder';
  const master = await startRedis();
  const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const deadline = Date.now() + 10_000;
  while (!replica.cli('INFO', 'replication').includes('master_link_status:up')) {
    if (Date.now() > deadline) throw new Error('Redis replica did not sync');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const sentinelPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'larder-sentinel-'));
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      '',
    ].join('\n'),
  );
  const sentinel = await startServer(serverBinary as string, [config, '--sentinel'], {
    port: sentinelPort,
  });
  return {
    masterName,
    master,
    replica,
    sentinelPort,
    sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
    async stop() {
      await sentinel.kill();
      await Promise.all([master.stop(), replica.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
