// Fragment-cache benchmark: a page of 20 fragments rendered by LiquidJS and by Nunjucks, without
// cache tags, with the tags switched off (`enabled: false`), and with every fragment a hit (memory
// store, then a file store), in one run, contenders interleaved round-robin; reported as median
// renders per second, CPU µs per render, and ratios to the same engine without cache tags.
// Not a test: nothing here asserts a duration.
//
// Run: taskset -c 1 node --conditions=@larder/source --import tsx bench/views.ts
// Settings: BENCH_ROUNDS (7), BENCH_SECONDS (1), BENCH_WARMUP (1, seconds per contender).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCache, createFileStore } from '@larder/core';
import type { FragmentCacheOptions } from '@larder/views';
import { liquidCache } from '@larder/views/liquid';
import { nunjucksCache } from '@larder/views/nunjucks';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';

const FRAGMENTS = 20;
const ITEMS = 25;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);

const data = {
  title: 'Catalogue',
  user: { id: 42 },
  items: Array.from({ length: ITEMS }, (_, i) => ({
    name: `item <${i}>`,
    price: 3 + i * 0.37,
    tags: ['red', 'green', 'blue'].slice(0, 1 + (i % 3)),
  })),
};

/** The page: a heading and 20 sections, each a list of 25 items with filters and a nested loop. */
function page(engine: 'liquid' | 'nunjucks', cached: boolean): string {
  const sections: string[] = [];
  for (let n = 0; n < FRAGMENTS; n++) {
    const body =
      engine === 'liquid'
        ? `<section><h2>Section ${n}</h2><ul>{% for item in items %}<li>{{ item.name | upcase | escape }} – {{ item.price | times: 1.2 | round: 2 }} €{% for tag in item.tags %} <i>{{ tag }}</i>{% endfor %}</li>{% endfor %}</ul></section>`
        : `<section><h2>Section ${n}</h2><ul>{% for item in items %}<li>{{ item.name | upper }} – {{ (item.price * 1.2) | round(2) }} €{% for tag in item.tags %} <i>{{ tag }}</i>{% endfor %}</li>{% endfor %}</ul></section>`;
    const open =
      engine === 'liquid'
        ? `{% cache 'section', ${n}, user.id %}`
        : `{% cache "section", ${n}, user.id %}`;
    sections.push(cached ? `${open}${body}{% endcache %}` : body);
  }
  return `<h1>{{ title }}</h1>\n${sections.join('\n')}`;
}

type Render = () => Promise<string>;

function liquidRenderer(cached: boolean, options?: FragmentCacheOptions): Render {
  const liquid = new Liquid();
  if (options !== undefined) liquidCache(liquid, options);
  const template = liquid.parse(page('liquid', cached));
  return () => liquid.render(template, data);
}

function nunjucksRenderer(cached: boolean, options?: FragmentCacheOptions): Render {
  const env = new nunjucks.Environment(null, { autoescape: true });
  if (options !== undefined) nunjucksCache(env, options);
  const template = new nunjucks.Template(page('nunjucks', cached), env, 'page.njk', true);
  return () =>
    new Promise((resolve, reject) =>
      template.render(data, (error, html) => (error ? reject(error) : resolve(html ?? ''))),
    );
}

const dirs: string[] = [];
function fileCache() {
  const dir = mkdtempSync(join(tmpdir(), 'larder-bench-views-'));
  dirs.push(dir);
  return createCache({ stores: { default: createFileStore({ dir }) } });
}

interface Contender {
  readonly engine: string;
  readonly name: string;
  readonly baseline: boolean;
  readonly render: Render;
  readonly rates: number[];
  readonly cpu: number[];
}

const contenders: Contender[] = [];
function add(engine: string, name: string, render: Render, baseline = false): void {
  contenders.push({ engine, name, baseline, render, rates: [], cpu: [] });
}
for (const [engine, make] of [
  ['LiquidJS', liquidRenderer],
  ['Nunjucks', nunjucksRenderer],
] as const) {
  add(engine, 'no cache tags', make(false), true);
  add(engine, 'cache tags, enabled: false', make(true, { enabled: false }));
  add(engine, '20 fragment hits, memory store', make(true, { cache: createCache() }));
  add(engine, '20 fragment hits, file store', make(true, { cache: fileCache() }));
}
{
  // LiquidJS's synchronous render, hits answered through getNow from the memory store.
  const liquid = new Liquid();
  liquidCache(liquid, { cache: createCache() });
  const template = liquid.parse(page('liquid', true));
  add('LiquidJS', '20 fragment hits, memory store, renderSync', () =>
    Promise.resolve(liquid.renderSync(template, data) as string),
  );
}

// Group the report by engine (the sort is stable, so each engine keeps its order).
contenders.sort((a, b) => a.engine.localeCompare(b.engine));

/** Renders for `seconds`; returns renders per second and CPU µs per render. */
async function measure(render: Render, seconds: number): Promise<{ rate: number; cpu: number }> {
  const until = performance.now() + seconds * 1000;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let count = 0;
  while (performance.now() < until) {
    await render();
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpuStart);
  return { rate: count / elapsed, cpu: (used.user + used.system) / count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Same HTML from every contender of an engine, checked before anything is timed.
for (const engine of ['LiquidJS', 'Nunjucks']) {
  const pages = await Promise.all(
    contenders.filter((c) => c.engine === engine).map((c) => c.render()),
  );
  if (new Set(pages).size !== 1)
    throw new Error(`${engine}: the contenders render different pages`);
  if ((pages[0]?.match(/<section>/g) ?? []).length !== FRAGMENTS)
    throw new Error(`${engine}: not ${FRAGMENTS} sections`);
}
for (const c of contenders) await measure(c.render, WARMUP);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the starting contender so drift on the machine hits everyone alike.
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[(i + round) % contenders.length]!;
    const { rate, cpu } = await measure(c.render, SECONDS);
    c.rates.push(rate);
    c.cpu.push(cpu);
  }
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

const lines = [
  `### Fragment-cache benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores. A page of ${FRAGMENTS} fragments, each a list of ${ITEMS} items with filters and a nested loop; ${ROUNDS} rounds × ${SECONDS} s per contender after a ${WARMUP} s warm-up, interleaved round-robin; one render at a time. Hits: every fragment already cached.`,
  '',
  '| engine | page | renders/s (median) | min–max | × no cache tags | CPU µs/render | × no cache tags (CPU) |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const c of contenders) {
  const base = contenders.find((b) => b.engine === c.engine && b.baseline)!;
  const rate = median(c.rates);
  const cpu = median(c.cpu);
  lines.push(
    `| ${c.engine} | ${c.name} | ${rate.toFixed(0)} | ${Math.min(...c.rates).toFixed(0)}–${Math.max(...c.rates).toFixed(0)} | ${(rate / median(base.rates)).toFixed(2)} | ${cpu.toFixed(1)} | ${(median(base.cpu) / cpu).toFixed(2)} |`,
  );
}
const report = `${lines.join('\n')}\n`;
process.stdout.write(report);
const out = new URL(`./results/views-${new Date().toISOString().slice(0, 10)}.md`, import.meta.url);
writeFileSync(out, report);
