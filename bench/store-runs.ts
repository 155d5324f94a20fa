// The part the store benchmarks (bench/redis.ts, bench/postgres.ts) share: app servers started on
// CPU 1 with wrk on CPU 0, interleaved rounds, and per-request app CPU read from /proc.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { get } from './http/client.mjs';
import { median, waitForQuiet } from './http/machine.mjs';
import { wrk } from './http/wrk.mjs';

export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
export const NODE = [process.execPath, '--conditions=@larder/source', '--import', 'tsx'];
export const CONNECTIONS = 50;

/** Pins this process (and the servers and wrk it starts without taskset) to CPU 0. */
export function pinToCpu0(): void {
  execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
}

export interface AppServer {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `script` (which prints `ready <port>`) on CPU 1 with `args`. */
export async function startApp(script: string, args: readonly string[]): Promise<AppServer> {
  const child = spawn('taskset', ['-c', '1', ...NODE, here(script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: here('.'),
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /ready (\d+)/.exec(chunk.toString())?.[1];
  return { child, url: `http://127.0.0.1:${port}` };
}

// The app server's own CPU time (user + system), read from /proc: steadier than req/s when other
// work shares the machine. The store server's share of a hit is not in it (it runs on CPU 0).
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const toMs = (text: string) => {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
};

export interface Run {
  rps: number;
  p99: number;
  requests: number;
  errors: number;
  cpuUs: number;
}

export interface Measured {
  readonly runs: Map<string, Run[]>;
  /** Handler calls each server counted over the whole run (`GET /__calls`). */
  readonly calls: Map<string, number>;
  /** Measured runs that started while the machine was quiet (with `waitQuiet`). */
  readonly quiet: number;
}

/**
 * Warms each server up for 2 s, then runs `rounds` interleaved rounds of `seconds` of wrk on
 * `/item` against every contender, and stops the servers.
 */
export async function measureHitPath(
  servers: Map<string, AppServer>,
  options: { rounds: number; seconds: number; waitQuiet?: boolean },
): Promise<Measured> {
  const contenders = [...servers.keys()];
  for (const server of servers.values()) {
    await wrk(`${server.url}/item`, { seconds: 2, connections: CONNECTIONS, cpu: '0' });
  }
  const runs = new Map<string, Run[]>();
  let quiet = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + round) % contenders.length] as string;
      const server = servers.get(contender) as AppServer;
      if (options.waitQuiet && (await waitForQuiet())) quiet += 1;
      const cpuBefore = cpuSeconds(server.child.pid as number);
      const result = await wrk(`${server.url}/item`, {
        seconds: options.seconds,
        connections: CONNECTIONS,
        cpu: '0',
      });
      const list = runs.get(contender) ?? [];
      list.push({
        rps: result.rps,
        p99: toMs(result.p99),
        requests: result.requests,
        errors: result.errors + result.non2xx,
        cpuUs:
          ((cpuSeconds(server.child.pid as number) - cpuBefore) * 1e6) /
          Math.max(1, result.requests),
      });
      runs.set(contender, list);
    }
  }
  const calls = new Map<string, number>();
  for (const [contender, server] of servers) {
    calls.set(contender, Number((await get(`${server.url}/__calls`)).body.toString()));
    server.child.kill();
  }
  return { runs, calls, quiet };
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const rpsOf = (runs: Map<string, Run[]>, c: string) =>
  median((runs.get(c) ?? []).map((r) => r.rps));
export const cpuOf = (runs: Map<string, Run[]>, c: string) =>
  median((runs.get(c) ?? []).map((r) => r.cpuUs));
