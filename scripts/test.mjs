// Runs every *.test.ts file with node:test, straight from TypeScript sources.
// Node 20 does not expand globs given to --test, so the file list is built here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['packages', 'test', 'examples'];

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = roots.flatMap((r) => {
  const abs = join(root, r);
  return statSync(abs).isDirectory() ? collect(abs, []) : [relative(root, abs)];
});
files.sort();
const child = spawn(
  process.execPath,
  ['--conditions=@larder/source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
