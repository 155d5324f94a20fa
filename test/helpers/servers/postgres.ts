import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

// Debian installs each major version under its own directory; the newest one is used.
const PG_ROOT = '/usr/lib/postgresql';
const PG_BIN = (() => {
  try {
    const versions = readdirSync(PG_ROOT).filter((name) => /^\d+$/.test(name));
    versions.sort((a, b) => Number(b) - Number(a));
    return versions.length > 0
      ? join(PG_ROOT, versions[0] as string, 'bin')
      : join(PG_ROOT, '15', 'bin');
  } catch {
    return join(PG_ROOT, '15', 'bin');
  }
})();
const USER = 'postgres';

/** A throwaway PostgreSQL started by a test file, with the connection string to reach it. */
export interface PostgresServer extends ServerProcess {
  readonly connectionString: string;
  /** Starts the server again on the same port and data directory after {@link stop} or {@link kill}. */
  restart(): Promise<PostgresServer>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/** Why PostgreSQL tests skip here, or `undefined` when `initdb` and `postgres` are installed. */
export function postgresMissing(): string | undefined {
  if (
    findBinary('initdb', [PG_BIN]) === undefined ||
    findBinary('postgres', [PG_BIN]) === undefined
  )
    return missingBinary('PostgreSQL (initdb, postgres)', 'postgresql');
  return undefined;
}

/**
 * Creates a cluster with `initdb` in a temp directory (as the `postgres` user when the tests run
 * as root: initdb refuses root), then starts `postgres` on a free 127.0.0.1 port with trust
 * authentication and fsync off. Call `destroy()` at the end of the file.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const initdb = findBinary('initdb', [PG_BIN]);
  if (initdb === undefined) throw new Error(postgresMissing());
  const root = mkdtempSync(join(tmpdir(), 'larder-pg-'));
  const data = join(root, 'data');
  if (process.getuid?.() === 0) {
    run('chown', [USER, root]);
    chmodSync(root, 0o700);
  }
  run(
    initdb,
    ['-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    USER,
  );
  const port = await freePort();
  return launch(root, data, port);
}

async function launch(root: string, data: string, port: number): Promise<PostgresServer> {
  const postgres = findBinary('postgres', [PG_BIN]) as string;
  const server = await startServer(
    postgres,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      root,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { port, user: USER, readyTimeoutMs: 20_000 },
  );
  // The port opens a moment before the server accepts logins; wait until a query succeeds.
  const connectionString = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  await untilReady(connectionString);
  // The child is `runuser` when the tests run as root, so signals go to the postmaster itself
  // (its pid heads postmaster.pid) and, for pause, to every backend it forked.
  const postmaster = Number.parseInt(readFileSync(join(data, 'postmaster.pid'), 'utf8'), 10);
  const signalCluster = (signal: NodeJS.Signals) => {
    for (const pid of [postmaster, ...childrenOf(postmaster)]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  // SIGINT is PostgreSQL's "fast" shutdown: it ends client sessions, as a server going down under
  // load does (SIGTERM, the "smart" one, would wait for every pooled connection to leave).
  const halt = async (signal: NodeJS.Signals) => {
    signalCluster('SIGCONT');
    if (signal === 'SIGKILL') signalCluster(signal);
    else process.kill(postmaster, signal);
    await server.stop();
    postmasters.delete(postmaster);
  };
  postmasters.add(postmaster);
  const stop = () => halt('SIGINT');
  return {
    ...server,
    connectionString,
    stop,
    kill: () => halt('SIGKILL'),
    pause: () => signalCluster('SIGSTOP'),
    resume: () => signalCluster('SIGCONT'),
    restart: async () => {
      await stop();
      return launch(root, data, port);
    },
    destroy: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function untilReady(connectionString: string): Promise<void> {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

// A test process that ends early (a failed before hook, an uncaught error) leaves no server behind.
const postmasters = new Set<number>();
process.once('exit', () => {
  for (const pid of postmasters) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
});

/** The pids whose parent is `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, then ppid.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}
