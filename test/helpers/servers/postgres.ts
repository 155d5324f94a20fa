import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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

const PG_BIN = '/usr/lib/postgresql/15/bin';
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
  // SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave; SIGINT is
  // the "fast" one, which ends their sessions, as a server going down under load does.
  const stop = async () => {
    server.child.kill('SIGCONT');
    server.child.kill('SIGINT');
    await server.stop();
  };
  return {
    ...server,
    connectionString,
    stop,
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
