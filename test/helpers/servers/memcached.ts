import {
  findBinary,
  freePort,
  missingBinary,
  type ServerProcess,
  startServer,
} from './server-process.ts';

const binary = findBinary('memcached', ['/usr/bin', '/usr/local/bin']);

/** Why memcached tests skip on this machine, or `undefined` when the binary is installed. */
export const memcachedMissing: string | undefined =
  binary === undefined ? missingBinary('memcached', 'memcached') : undefined;

/** Options of {@link startMemcached}. */
export interface MemcachedServerOptions {
  /** The port to listen on, e.g. to restart a killed server where the app expects it. @default a free port */
  readonly port?: number;
  /** The item size limit in MiB (memcached's `-I`). @default 1 */
  readonly maxItemMiB?: number;
  /** Item memory in MiB (`-m`). @default 64 */
  readonly memoryMiB?: number;
}

/** Starts a memcached on 127.0.0.1 (an empty cache); `server.port` is where it listens. */
export async function startMemcached(options: MemcachedServerOptions = {}): Promise<ServerProcess> {
  if (binary === undefined) throw new Error(missingBinary('memcached', 'memcached'));
  const port = options.port ?? (await freePort());
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-t', '1'];
  args.push('-m', String(options.memoryMiB ?? 64), '-I', `${options.maxItemMiB ?? 1}m`);
  // memcached refuses to run as root without a user to switch to.
  if (process.getuid?.() === 0) args.push('-u', 'nobody');
  return startServer(binary, args, { port });
}
