/** Formats one benchmark run as Markdown: the hit-path table, targets, coalescing and memory. */

const LABELS = {
  'larder-express': 'Larder (Express)',
  apicache: 'apicache 1.6 (Express, memory)',
  'apicache-plus': 'apicache-plus 2.3 (Express, memory)',
  'route-cache': 'route-cache 0.7 (Express)',
  'express-limit': 'Express limit (first middleware ends the response)',
  'express-uncached': 'Express, uncached slow route',
  'larder-koa': 'Larder (Koa)',
  'koa-cash': 'koa-cash 5 (Koa, lru-cache get/set)',
  'koa-limit': 'Koa limit (first middleware sets the body)',
  'koa-uncached': 'Koa, uncached slow route',
  'express-replay': 'diagnostic: Express limit writing Larder’s hit headers',
  'koa-replay': 'diagnostic: Koa limit writing Larder’s hit headers',
  'larder-express-front': 'Larder cacheFront (Express app)',
  'larder-koa-front': 'Larder cacheFront (Koa app)',
  'node-limit': 'raw node:http limit (the handler ends the response)',
};
const TARGETS = [
  ['larder-express', 'express-limit', 0.9],
  ['larder-express', 'apicache', 1.0],
  ['larder-koa', 'koa-limit', 0.9],
  ['larder-koa', 'koa-cash', 1.15],
  ['larder-express-front', 'node-limit', 0.75],
  ['larder-koa-front', 'node-limit', 0.75],
  ['larder-express-front', 'apicache', 4],
  ['larder-koa-front', 'apicache', 4],
];
const MEMORY_TARGET = 1.3;

const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const pass = (ok) => (ok ? 'PASS' : '**FAIL**');

/** Builds the report from run.mjs's results. */
export function report({ started, settings, results, memory, machine }) {
  const by = new Map(results.map((result) => [result.name, result]));
  const lines = [
    `## HTTP benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, ${machine.pinned}. ` +
      `wrk -t1 -c${settings.connections}, ${settings.rounds} rounds × ${settings.seconds} s after a ` +
      `${settings.warmup} s warm-up, contenders interleaved round-robin. Slow route: ` +
      `${machine.workMs.toFixed(2)} ms of CPU, 2048-byte JSON body. Larder loaded from ${settings.larder}. ` +
      `${machine.quietStarts} measured runs started while other work used under 15% of the machine ` +
      '(each waits up to 10 s for such a moment).',
    '',
    '### Hit path',
    '',
    "Throughput is what wrk saw; CPU/req is the server process's own CPU time (user + system) per " +
      'request, which stays steady when other work on the machine steals the core. “× limit” and ' +
      '“Larder ÷ this” are given for both (for CPU, as the inverse ratio: higher is faster).',
    '',
    '| contender | req/s (median) | min–max | × limit | Larder ÷ this | CPU µs/req | × limit (CPU) | Larder ÷ this (CPU) | p99 latency | core taken by others | handler calls / requests |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const label = LABELS[result.name] ?? result.name;
    if (result.skip) {
      lines.push(`| ${label} | skipped: ${result.skip} | | | | | | | | | |`);
      continue;
    }
    // A front answers before the framework: its limit is raw node:http.
    const limit = by.get(result.kind === 'front' ? 'node-limit' : `${result.framework}-limit`);
    const larder = by.get(`larder-${result.framework}`);
    const isLarder = result.kind === 'larder';
    const rpsList = result.runs.map((run) => run.rps);
    const caching = result.kind === 'larder' || result.kind === 'peer' || result.kind === 'front';
    const notCaching = caching && result.calls > Math.max(10, result.sent * 0.01);
    const flags = [
      notCaching ? '**NOT CACHING**' : '',
      result.problems?.length ? `**${result.problems.join('; ')}**` : '',
      result.errors ? `**${result.errors} errors/non-2xx**` : '',
    ].filter(Boolean);
    lines.push(
      `| ${label} | ${Math.round(result.rps)} | ${Math.round(Math.min(...rpsList))}–${Math.round(Math.max(...rpsList))} ` +
        `| ${ratio(result.rps, limit?.rps)} | ${isLarder ? '' : ratio(larder?.rps, result.rps)} ` +
        `| ${result.cpuPerRequest.toFixed(1)} | ${ratio(limit?.cpuPerRequest, result.cpuPerRequest)} ` +
        `| ${isLarder ? '' : ratio(result.cpuPerRequest, larder?.cpuPerRequest)} | ${latency(result.p99)} | ${(result.otherLoad * 100).toFixed(0)}% ` +
        `| ${result.calls} / ${result.sent}${flags.length ? ` ${flags.join(' ')}` : ''} |`,
    );
  }
  lines.push('', '### Targets', '');
  for (const [name, other, target] of TARGETS) {
    const a = by.get(name);
    const b = by.get(other);
    if (!a?.rps || !b?.rps) {
      lines.push(
        `- ${LABELS[name]} ≥ ${target}× ${LABELS[other]}: not measured (${a?.skip ?? b?.skip ?? 'missing'})`,
      );
      continue;
    }
    const byRps = a.rps / b.rps;
    const byCpu = b.cpuPerRequest / a.cpuPerRequest;
    lines.push(
      `- ${LABELS[name]} ≥ ${target}× ${LABELS[other]}: req/s ${byRps.toFixed(2)}× — ` +
        `${pass(byRps >= target)}; CPU/req ${byCpu.toFixed(2)}× — ${pass(byCpu >= target)}`,
    );
  }

  lines.push(
    '',
    `### Coalescing: ${settings.burst} concurrent requests for one cold key`,
    '',
    'The handler waits 50 ms (a stand-in for a database query) before its CPU work.',
    '',
    '| contender | handler runs | correct answers (200, exact body) | statuses | distinct bodies |',
    '|---|---:|---:|---|---:|',
  );
  for (const result of results) {
    if (!result.burst) continue;
    const { calls, ok, statuses, distinctBodies } = result.burst;
    const target =
      result.kind === 'larder' ? ` — ${pass(calls === 1 && ok === settings.burst)}` : '';
    lines.push(
      `| ${LABELS[result.name]} | ${calls}${target} | ${ok}/${settings.burst} ` +
        `| ${Object.entries(statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(', ')} | ${distinctBodies} |`,
    );
  }

  lines.push(
    '',
    '### Memory: distinct 2 KiB responses cached',
    '',
    'Filled through a real HTTP server in one process (`memory.mjs`); growth of V8 heap plus external ' +
      '(Buffer) memory after full GCs, divided by the body bytes. Target for Larder: ≤ 1.3×. ' +
      'apicache is filled with at most 20,000: its memory store runs `Object.keys()` over every ' +
      'entry on each insert, so 100,000 take many minutes.',
    '',
    '| contender | entries | heap | external (Buffers) | × body bytes | note |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const row of memory) {
    const label = LABELS[row.name] ?? row.name;
    if (row.skip) {
      lines.push(`| ${label} | skipped: ${row.skip} | | | | |`);
      continue;
    }
    const notes = [
      row.bad ? `**${row.bad} bad answers**` : '',
      row.evictedOfSample ? `**${row.evictedOfSample}/100 sampled entries evicted**` : '',
      row.name.startsWith('larder-') ? pass(row.ratio <= MEMORY_TARGET) : '',
    ].filter(Boolean);
    lines.push(
      `| ${label} | ${row.entries.toLocaleString('en')} | ${mib(row.heap)} | ${mib(row.external)} ` +
        `| ${row.ratio.toFixed(2)} | ${notes.join(' ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function latency(values) {
  const parsed = values.map((v) => ({ v, ms: toMs(v) })).sort((a, b) => a.ms - b.ms);
  return parsed[parsed.length >> 1]?.v ?? '?';
}

function toMs(value) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value);
  if (!match) return Number.POSITIVE_INFINITY;
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2]];
  return Number(match[1]) * scale;
}
