import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createFileStore } from '../src/file-store.ts';

const ENTRY = /^[0-9a-f]{64}$/;
const TEMP = /\.tmp$/;
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const node = ['--conditions=@larder/source', '--import', 'tsx'];

const entries = async (dir: string) => (await readdir(dir)).filter((n) => ENTRY.test(n));
const temps = async (dir: string) => (await readdir(dir)).filter((n) => TEMP.test(n));

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('file store maxEntries under concurrent writers', () => {
  let root = '';
  let count = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'larder-file-bound-'));
  });
  after(() => rm(root, { recursive: true, force: true }));
  const freshDir = () => join(root, `store-${count++}`);

  test('500 concurrent writes of distinct keys in one process leave at most maxEntries files', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir, maxEntries: 50 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.set(`k${i}`, i)));
    const left = await entries(dir);
    assert.ok(left.length <= 50, `${left.length} entry files for a bound of 50`);
    assert.ok(left.length >= 45, `pruning keeps 90 % of the bound, got ${left.length}`);
  });

  test('two store instances on one directory, writing at once, stay within the bound', async () => {
    const dir = freshDir();
    const a = createFileStore({ dir, maxEntries: 30 });
    const b = createFileStore({ dir, maxEntries: 30 });
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).set(`k${i}`, Buffer.alloc(256, i))),
    );
    const left = await entries(dir);
    assert.ok(left.length <= 30, `${left.length} entry files for a bound of 30`);
  });

  test('two processes writing 600 distinct keys each stay within the bound once they exit', async () => {
    const dir = freshDir();
    const run = (label: string) =>
      exited(
        spawn(process.execPath, [...node, fixture('fill-file-store.ts'), dir, '40', '600', label], {
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
    const results = await Promise.all([run('a'), run('b')]);
    for (const { code, stderr } of results) assert.equal(code, 0, stderr);
    const left = await entries(dir);
    assert.ok(left.length <= 40, `${left.length} entry files for a bound of 40`);
    assert.ok(left.length > 0, 'entries were written');
    assert.deepEqual(await temps(dir), [], 'no temp file is left by a writer that finished');
  });

  test('the store learns of another process writing while it is idle', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir, maxEntries: 20 });
    await store.set('mine', 1);
    const { code, stderr } = await exited(
      spawn(process.execPath, [...node, fixture('fill-file-store.ts'), dir, '1000', '60', 'x'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    assert.equal(code, 0, stderr);
    assert.equal((await entries(dir)).length, 61, 'the other process kept its own, looser bound');
    await store.set('mine-again', 2);
    const left = await entries(dir);
    assert.ok(left.length <= 20, `${left.length} entry files for a bound of 20`);
  });
});

describe('file store temp files left by a writer killed mid-write', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'larder-file-orphan-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('a SIGKILLed writer leaves a temp file that the next store removes once it is old', async () => {
    const dir = join(root, 'killed');
    let left: string[] = [];
    // The kill must land between open and rename; the writer spends most of its time there.
    for (let attempt = 0; attempt < 5 && left.length === 0; attempt += 1) {
      const child = spawn(process.execPath, [...node, fixture('slow-file-writer.ts'), dir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const done = exited(child);
      while ((await readdir(dir).catch(() => [])).every((n) => !TEMP.test(n))) await delay(5);
      child.kill('SIGKILL');
      const { code } = await done;
      assert.equal(code, null, 'the writer was killed, not finished');
      left = await temps(dir);
    }
    assert.equal(left.length, 1, 'the killed writer left its temp file');

    // A store with the default age guard (60 s) takes the file for a live writer's and keeps it.
    await createFileStore({ dir }).set('k', 1);
    assert.deepEqual(await temps(dir), left);

    await delay(250);
    const store = createFileStore({ dir, orphanAge: 0.2 });
    await store.set('k2', 2);
    assert.deepEqual(await temps(dir), [], 'the abandoned temp file is gone');
    assert.equal(await store.get('k2'), 2);
  });

  test('an old planted temp file goes on the first write, a young one and foreign files stay', async () => {
    const dir = join(root, 'planted');
    await mkdir(dir, { recursive: true });
    const name = `${'a'.repeat(64)}.0123abcd.7.tmp`;
    const young = `${'b'.repeat(64)}.0123abcd.8.tmp`;
    await writeFile(join(dir, name), 'half a frame');
    await writeFile(join(dir, young), 'a live writer');
    await writeFile(join(dir, 'notes.tmp'), 'not ours');
    await delay(300);
    await writeFile(join(dir, young), 'a live writer, still writing');
    // utimes cannot make a file look old to the guard: it reads ctime, which utimes resets.
    await utimes(join(dir, young), 0, 0);
    await createFileStore({ dir, orphanAge: 0.25, maxEntries: Number.POSITIVE_INFINITY }).set(
      'k',
      1,
    );
    assert.deepEqual((await temps(dir)).sort(), ['notes.tmp', young].sort());
  });
});
