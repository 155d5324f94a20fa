/** Facts about the machine the benchmark needs: commands, CPU time per core, quiet moments. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** True when a command is on the PATH. */
export function commandExists(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Busy and total seconds of one core (`''`: all cores) so far, from /proc/stat (Linux), or undefined. */
export function coreTime(cpu = '') {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((row) => row.startsWith(`cpu${cpu} `));
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, n) => sum + n, 0);
    // Fields: user nice system idle iowait irq softirq steal …; USER_HZ is 100 on Linux.
    return { busy: (total - ticks[3] - ticks[4]) / 100, total: total / 100 };
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most 10 s) for a moment when other work on the machine uses under 15% of it, so fewer
 * runs start in the middle of someone else's build; returns whether it got one.
 */
export async function waitForQuiet() {
  for (let tries = 0; tries < 40; tries++) {
    const before = coreTime('');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const after = coreTime('');
    if (!before || !after) return true;
    const share = (after.busy - before.busy) / Math.max(0.01, after.total - before.total);
    if (share < 0.15) return true;
  }
  return false;
}

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
