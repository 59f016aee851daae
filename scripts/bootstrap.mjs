#!/usr/bin/env node
// Entry point of every npm script. Plain JavaScript on purpose: it must run on a fresh clone,
// before `npm install`, to install what is missing. Then it runs the TypeScript CLI in this same
// process, compiled by esbuild (compile.mjs): Node 20 cannot strip types, and a loader hook (tsx)
// costs about half a millisecond per imported module, some 350 ms on every build.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`brief needs Node.js 20.19 or newer; this is ${process.version}.\n`);
  process.exit(2);
}

ensureDependencies();
// No process.setSourceMapsEnabled(): an internal error's stack is mapped when shown (scripts/map-stack.ts).
const { compile } = await import('./compile.mjs');
const { run } = await import(pathToFileURL(await compile()).href);
process.exitCode = await run(process.argv.slice(2));

/**
 * Installs node_modules with `npm ci` when they are missing or older than package-lock.json.
 * npm's own hidden lockfile (node_modules/.package-lock.json) is rewritten by every install, so
 * its being newer than package-lock.json means the tree matches the lock (npm uses the same test).
 */
function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && (!existsSync(lock) || statSync(installed).mtimeMs >= statSync(lock).mtimeMs)) return;
  process.stderr.write('brief: installing dependencies (first run, or package-lock.json changed)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  // Chrome is resolved by brief itself when a PDF is first printed; puppeteer must not try to
  // download it during install (that fails on closed networks and would break the install).
  // package.json's allowScripts already denies its install script on npm 11; the variable keeps
  // older npm versions, which run every install script, from downloading it.
  const result = spawnSync(npm, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    process.stderr.write(`brief: \`npm ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}). Fix the error above and run the command again.\n`);
    process.exit(1);
  }
}
