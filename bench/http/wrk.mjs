/** Runs wrk against a URL and parses its summary. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * @param {string} url
 * @param {{ seconds: number, connections: number, cpu?: string }} options `cpu` pins wrk with taskset.
 * @returns {Promise<{ rps: number, requests: number, errors: number, non2xx: number, p50: string, p99: string, raw: string }>}
 */
export async function wrk(url, { seconds, connections, cpu }) {
  // A generous timeout: the uncached baselines answer in about a second under this load.
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', url];
  const [command, argv] = cpu ? ['taskset', ['-c', cpu, 'wrk', ...args]] : ['wrk', args];
  const { stdout } = await run(command, argv, { timeout: (seconds + 30) * 1000 });
  const number = (pattern) => Number(stdout.match(pattern)?.[1] ?? 0);
  const errors = stdout.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    errors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    p50: stdout.match(/50%\s+(\S+)/)?.[1] ?? '?',
    p99: stdout.match(/99%\s+(\S+)/)?.[1] ?? '?',
    raw: stdout,
  };
}
