#!/usr/bin/env node
// Entry point of every npm script. Plain JavaScript on purpose: it must run on a fresh clone,
// before `npm install`, to install what is missing. Then it runs the TypeScript CLI in this same
// process, compiled once by esbuild into node_modules/.cache/brief/cli (again only when a file
// under scripts/ changes): Node 20 cannot strip types, and a loader hook (tsx) costs about half a
// millisecond per imported module, some 350 ms on every build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
process.setSourceMapsEnabled(true);
const { run } = await import(pathToFileURL(await compiledCli()).href);
process.exitCode = await run(process.argv.slice(2));

/**
 * The CLI as plain JavaScript: scripts/cli.ts bundled with its lazily loaded commands split into
 * chunks (npm packages stay external). Rebuilt when any file under scripts/ changes.
 */
async function compiledCli() {
  const scripts = join(root, 'scripts');
  const cache = join(root, 'node_modules', '.cache', 'brief', 'cli');
  const files = readdirSync(scripts, { recursive: true }).filter((file) => /\.(ts|mjs)$/.test(file)).sort();
  const stamp = createHash('sha256')
    .update(files.map((file) => `${file}\0${statSync(join(scripts, file)).mtimeMs}`).join('\n'))
    .digest('hex');
  const entry = join(cache, 'cli.mjs');
  const stampFile = join(cache, 'stamp');
  if (existsSync(entry) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return entry;
  const { build } = await import('esbuild');
  const staging = `${cache}.${process.pid}`;
  await build({
    entryPoints: [join(scripts, 'cli.ts')],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  writeFileSync(join(staging, 'stamp'), stamp);
  rmSync(cache, { recursive: true, force: true });
  try {
    renameSync(staging, cache);
  } catch {
    // Another build renamed its copy first: the same sources, so use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  return entry;
}

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
