import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { delimiter, join } from 'node:path';

/** A free TCP port on 127.0.0.1, as the kernel hands one out (released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The absolute path of a server binary, searching `PATH` and the given extra directories, or
 * `undefined` when it is not installed (the caller then skips with a message naming it).
 */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const dir of dirs) {
    if (dir === '') continue;
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** The message a suite skips with when a server binary is missing. */
export function missingBinary(name: string, aptPackage: string): string {
  return `${name} is not installed: apt-get install -y ${aptPackage} to run these tests`;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A server process started by a test: stop it, kill it, pause and resume it. */
export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited within two seconds; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves when it has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets open but answers nothing. */
  pause(): void;
  /** SIGCONT after {@link pause}. */
  resume(): void;
}

export interface StartOptions {
  readonly port: number;
  /** Runs the command as this user (through `runuser`) when the tests run as root. */
  readonly user?: string;
  readonly cwd?: string;
  /** Milliseconds to wait for the port to open. @default 10000 */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts `command` and resolves when it listens on `options.port`. Every process started here is
 * killed when the test process exits, so a failed test leaves no server behind.
 */
export async function startServer(
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<ServerProcess> {
  const asUser = options.user !== undefined && process.getuid?.() === 0;
  const child = asUser
    ? spawn('runuser', ['-u', options.user as string, '--', command, ...args], {
        cwd: options.cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn(command, [...args], { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  live.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  try {
    await Promise.race([
      waitForPort(options.port, options.readyTimeoutMs),
      exited.then(() => {
        throw new Error(`${command} exited before listening: ${stderr.trim()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill(name);
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  return {
    port: options.port,
    child,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

/** Runs a command to completion (as `user` when root), returning its stdout; throws on failure. */
export function run(command: string, args: readonly string[], user?: string): string {
  const asUser = user !== undefined && process.getuid?.() === 0;
  return asUser
    ? execFileSync('runuser', ['-u', user, '--', command, ...args], { encoding: 'utf8' })
    : execFileSync(command, [...args], { encoding: 'utf8' });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});
