import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeEntry, encodeEntry, FRAME_VERSION } from '../src/codec.ts';
import { JOURNAL_NAME } from '../src/file-bound.ts';
import { createFileStore } from '../src/file-store.ts';
import { createTestClock, runStoreContract } from '../src/testing/index.ts';
import { type OptionErrorCase, testOptionErrors } from './option-errors.ts';

const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');
/** The directory's files less the write journal every bounded store keeps. */
const listing = async (dir: string) => (await readdir(dir)).filter((name) => name !== JOURNAL_NAME);

runStoreContract('file', async ({ now, onCleanup }) => {
  const dir = await mkdtemp(join(tmpdir(), 'larder-file-contract-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return createFileStore({ dir, now });
});

describe('createFileStore', () => {
  let root = '';
  let count = 0;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'larder-file-store-'));
  });
  after(() => rm(root, { recursive: true, force: true }));
  const freshDir = () => join(root, `store-${count++}`, 'entries');

  test('names each file by the SHA-256 of its key, so no key escapes the directory', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir });
    for (const key of ['../../escape', '/etc/passwd', 'a/b', '..']) await store.set(key, key);
    const names = (await listing(dir)).sort();
    assert.deepEqual(names, ['../../escape', '/etc/passwd', 'a/b', '..'].map(hashOf).sort());
    assert.deepEqual(await readdir(join(dir, '..')), ['entries']);
  });

  test('writes files with mode 0o600 by default and the mode option otherwise', async () => {
    const dir = freshDir();
    await createFileStore({ dir }).set('k', 'v');
    assert.equal((await stat(join(dir, hashOf('k')))).mode & 0o777, 0o600);
    await createFileStore({ dir, mode: 0o640 }).set('k2', 'v');
    assert.equal((await stat(join(dir, hashOf('k2')))).mode & 0o777, 0o640);
  });

  test('leaves no temp files behind after many concurrent writes to one key', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('k', Buffer.alloc(i * 100))));
    assert.deepEqual(await listing(dir), [hashOf('k')]);
    assert.equal(((await store.get('k')) as Buffer).byteLength, 1900);
  });

  describe('reads as a miss and removes the file', () => {
    const cases: Array<[string, (frame: Buffer) => Buffer]> = [
      ['a truncated frame', (frame) => frame.subarray(0, frame.byteLength - 3)],
      ['an empty file', () => Buffer.alloc(0)],
      [
        'a corrupted byte',
        (frame) => Buffer.concat([frame.subarray(0, 40), Buffer.from('X'), frame.subarray(41)]),
      ],
      ['foreign JSON', () => Buffer.from('{"value":"v"}')],
      [
        'a frame of another version',
        (frame) => {
          const copy = Buffer.from(frame);
          copy.writeUInt8(FRAME_VERSION + 1, 4);
          return copy;
        },
      ],
      [
        'a frame holding another key',
        () => encodeEntry({ key: 'other', expires: Number.POSITIVE_INFINITY, value: 'v' }),
      ],
    ];
    for (const [label, damage] of cases) {
      test(`for ${label}`, async () => {
        const dir = freshDir();
        const store = createFileStore({ dir });
        await store.set('k', Buffer.alloc(100, 7));
        const file = join(dir, hashOf('k'));
        await writeFile(file, damage(await readFile(file)));
        assert.equal(await store.get('k'), undefined);
        assert.deepEqual(await listing(dir), []);
      });
    }
  });

  test('removes an expired entry on read', async () => {
    const clock = createTestClock();
    const dir = freshDir();
    const store = createFileStore({ dir, now: clock.now, ttl: '10s' });
    await store.set('k', 'v');
    await clock.advance(11_000);
    assert.equal(await store.get('k'), undefined);
    assert.deepEqual(await listing(dir), []);
  });

  test('creates the directory on the first write and again after it was removed', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir });
    assert.equal(await store.get('k'), undefined);
    await store.set('k', 1);
    await rm(dir, { recursive: true });
    await store.set('k', 2);
    assert.equal(await store.get('k'), 2);
  });

  test('keeps entries across store instances on the same directory', async () => {
    const dir = freshDir();
    await createFileStore({ dir }).set('k', { saved: new Date(0) });
    assert.deepEqual(await createFileStore({ dir }).get('k'), { saved: new Date(0) });
  });

  test('prunes the oldest entries first once maxEntries is exceeded', async () => {
    const clock = createTestClock();
    const dir = freshDir();
    const store = createFileStore({ dir, maxEntries: 3, now: clock.now });
    for (const key of ['a', 'b', 'c', 'd']) {
      await store.set(key, key);
      await clock.advance(1000);
    }
    assert.deepEqual(await store.getMany(['a', 'b', 'c', 'd']), [undefined, 'b', 'c', 'd']);
  });

  test('prunes down to 90 % of maxEntries when maxEntries is 10 or more', async () => {
    const clock = createTestClock();
    const dir = freshDir();
    const store = createFileStore({ dir, maxEntries: 10, now: clock.now });
    for (let i = 0; i < 11; i += 1) {
      await store.set(`k${i}`, i);
      await clock.advance(1000);
    }
    assert.equal((await listing(dir)).length, 9);
    assert.equal(await store.get('k1'), undefined);
    assert.equal(await store.get('k2'), 2);
  });

  test('clear leaves files that are not entries of this store alone', async () => {
    const dir = freshDir();
    const store = createFileStore({ dir });
    await store.set('k', 'v');
    await writeFile(join(dir, 'README.txt'), 'not an entry');
    await store.clear();
    await store.clear('k');
    assert.deepEqual(await listing(dir), ['README.txt']);
  });

  test('increment throws a TypeError when the stored value is not an integer', async () => {
    const store = createFileStore({ dir: freshDir() });
    await store.set('s', 'ten');
    await assert.rejects(() => store.increment('s'), {
      name: 'TypeError',
      message: /"s".*not an integer/,
    });
    assert.equal(await store.get('s'), 'ten');
  });

  test('declares itself shared and serializing, and not atomic across processes', () => {
    assert.deepEqual(createFileStore({ dir: freshDir() }).capabilities, {
      retains: true,
      shared: true,
      atomic: false,
      serializes: true,
    });
  });

  describe('when an option is invalid', () => {
    const cases: OptionErrorCase[] = [
      ['no options', undefined, TypeError, /createFileStore.*"dir"/],
      ['dir missing', {}, TypeError, /createFileStore: option "dir".*undefined/],
      ['dir empty', { dir: '' }, TypeError, /"dir"/],
      ['maxEntries 0', { dir: 'x', maxEntries: 0 }, RangeError, /createFileStore.*"maxEntries".*0/],
      ['ttl "later"', { dir: 'x', ttl: 'later' }, RangeError, /createFileStore.*"ttl".*later/],
      ['mode 0o1000', { dir: 'x', mode: 0o1000 }, RangeError, /createFileStore.*"mode".*512/],
      [
        'now 5',
        { dir: 'x', now: 5 },
        TypeError,
        /createFileStore: option "now" must be a function, got 5/,
      ],
    ];
    testOptionErrors(createFileStore, cases);
  });

  test('bulk operations on 1000 keys stay within a 200 open-file limit', async () => {
    const dir = freshDir();
    const fixture = fileURLToPath(new URL('./fixtures/bulk-file-store.ts', import.meta.url));
    const node = [process.execPath, '--conditions=@larder/source', '--import', 'tsx', fixture];
    const command = `ulimit -n 200 && exec ${[...node, dir, '1000'].map(quote).join(' ')}`;
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (exit) => resolve({ code: exit, stderr }));
      },
    );
    assert.equal(code, 0, stderr);
  });

  test('two processes hammering the same keys in one directory leave only decodable entries', async () => {
    const dir = freshDir();
    const fixture = fileURLToPath(new URL('./fixtures/hammer-file-store.ts', import.meta.url));
    const runChild = (seed: number) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--conditions=@larder/source', '--import', 'tsx', fixture, dir, String(seed), '400'],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([runChild(1), runChild(2)]);
    for (const { code, stderr } of results) assert.equal(code, 0, stderr);
    const names = await listing(dir);
    assert.ok(names.length > 0, 'entries were written');
    for (const name of names) {
      assert.match(name, /^[0-9a-f]{64}$/, 'no temp file is left behind');
      const entry = decodeEntry(await readFile(join(dir, name)));
      assert.ok(entry, `${name} decodes`);
      assert.equal(hashOf(entry.key), name, 'the frame holds the key its name was hashed from');
    }
  });
});

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
