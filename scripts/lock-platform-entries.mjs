// Adds package-lock.json entries for the platform binaries of Biome and turbo that this
// environment's registry mirror does not serve. Without them `npm ci` rejects the lockfile as out
// of sync; with them npm skips each entry on Linux x64 because its os/cpu does not match.
// Run after any `npm install` that rewrote the lockfile: `node scripts/lock-platform-entries.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const versionOf = (name) => packages[`node_modules/${name}`].version;

const platforms = {
  '@biomejs/biome': {
    prefix: '@biomejs/cli-',
    license: 'MIT OR Apache-2.0',
    targets: {
      'android-arm64': ['android', 'arm64'],
      'android-x64': ['android', 'x64'],
      'darwin-arm64': ['darwin', 'arm64'],
      'darwin-x64': ['darwin', 'x64'],
      'linux-arm64-musl': ['linux', 'arm64', 'musl'],
      'linux-x64-musl': ['linux', 'x64', 'musl'],
      'win32-arm64': ['win32', 'arm64'],
      'win32-x64': ['win32', 'x64'],
    },
  },
  turbo: {
    prefix: '@turbo/',
    license: 'MIT',
    targets: {
      'darwin-64': ['darwin', 'x64'],
      'darwin-arm64': ['darwin', 'arm64'],
      'windows-64': ['win32', 'x64'],
      'windows-arm64': ['win32', 'arm64'],
    },
  },
};

let added = 0;
for (const [parent, { prefix, license, targets }] of Object.entries(platforms)) {
  const version = versionOf(parent);
  for (const [target, [os, cpu, libc]] of Object.entries(targets)) {
    const key = `node_modules/${prefix}${target}`;
    if (packages[key]) continue;
    packages[key] = { version, cpu: [cpu], dev: true, license, optional: true, os: [os] };
    if (libc) packages[key].libc = [libc];
    added++;
  }
}
const [root, ...rest] = Object.keys(packages);
const sorted = { [root]: packages[root] };
for (const key of rest.sort()) sorted[key] = packages[key];
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-entries: ${added} entries added`);
