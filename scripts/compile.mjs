// Compiles the TypeScript under scripts/ into plain JavaScript that Node 20 runs without a loader:
// scripts/cli.ts with its lazily loaded commands split into chunks, and the Markdown worker, with
// the pure-JavaScript npm packages they use bundled in (see BUNDLED). The result lives in
// node_modules/.cache/brief/cli and is made again only when a file under scripts/ changes. Used by bootstrap.mjs and by the tests.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * npm packages bundled into the compiled CLI: the unified ecosystem and the other pure-JavaScript
 * libraries every build loads. A package imported from scripts/ and not named here stays in
 * node_modules, loaded at run time: packages that read files beside their own code (wasm,
 * workers, patterns, fonts), spawn programs, or are new and not yet tried bundled.
 */
const BUNDLED = /^(unified|bail|trough|devlop|is-plain-obj|extend|remark-[\w-]+|rehype-[\w-]+|mdast-[\w-]+|hast-[\w-]+|hastscript|unist-[\w-]+|vfile[\w-]*|micromark[\w-]*|yaml|zod|handlebars|pdf-lib|postcss[\w-]*|retext[\w-]*|parse5|chokidar)(\/|$)/;

/** Never bundled, even when a bundled package imports them. */
const EXTERNAL = /^(puppeteer|puppeteer-core|piscina|harfbuzzjs|subset-font|hyphen|axe-core|vnu-jar|esbuild|md-to-pdf|fsevents|canvas)(\/|$)/;

/** esbuild plugin: bundles what BUNDLED names and what bundled packages import; the rest stays external. */
const choosePackages = {
  name: 'choose-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || EXTERNAL.test(args.path)) return { path: args.path, external: true };
      const fromPackage = args.importer.includes(`${join('node_modules', '')}`);
      if (fromPackage || BUNDLED.test(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * The hash of brief's code: every .ts and .mjs file under `scripts` by name and bytes. It stamps
 * the compiled CLI, which carries it (BRIEF_SOURCES_STAMP), and is part of what every brief's
 * build depends on (the manifest's run signature). Bytes, not times: a copy of scripts/ (a clone,
 * a test's copy sharing this node_modules) with other mtimes must not compile again over a CLI in use.
 */
export function sourcesStamp(scripts, files = sourceFiles(scripts)) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(scripts, file))).update('\0');
  return hash.digest('hex');
}

/** The .ts and .mjs files under `scripts`, relative, sorted. */
function sourceFiles(scripts) {
  return readdirSync(scripts, { recursive: true }).filter((file) => /\.(ts|mjs)$/.test(file)).sort();
}

/** Writes a small file so that a reader sees the old or the new contents, never a part. */
function writeAtomically(path, text) {
  const temp = `${path}.${process.pid}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch {
    // A cache only: the next run reads the bytes again.
    rmSync(temp, { force: true });
  }
}

/** Copies of scripts/ come and go (the tests' and the benchmark's): the stat of the 16 last used is kept. */
function forgetOldCopies() {
  const kept = readdirSync(COMPILED).filter((name) => name.startsWith('stat-'));
  if (kept.length <= 16) return;
  const byAge = kept.map((name) => ({ name, time: statSync(join(COMPILED, name)).mtimeMs })).sort((a, b) => b.time - a.time);
  for (const { name } of byAge.slice(16)) rmSync(join(COMPILED, name), { force: true });
}

/** The compiled output folder. */
export const COMPILED = join(root, 'node_modules', '.cache', 'brief', 'cli');

/**
 * Every source file's name, size and modification time: when these are as they were the last
 * time this folder's bytes were found to match the compiled stamp, the bytes need no reading
 * (as git's index spares reading files whose stat is unchanged). About a tenth of the cost.
 */
function sourcesStat(scripts, files) {
  let newest = 0;
  const text = files
    .map((file) => {
      const info = statSync(join(scripts, file));
      newest = Math.max(newest, info.mtimeMs);
      return `${file}\0${info.size}\0${info.mtimeMs}`;
    })
    .join('\n');
  // A file written within the clock's tick of being read could change again with the same stat.
  return { text, racy: Date.now() - newest < 2000 };
}

/** Compiles scripts/ when needed; returns the path of the compiled CLI entry. */
export async function compile() {
  const scripts = join(root, 'scripts');
  const entry = join(COMPILED, 'cli.mjs');
  const stampFile = join(COMPILED, 'stamp');
  const compiled = existsSync(entry) && existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : undefined;
  // Per copy of scripts/ (a test's copy shares this node_modules): its files' stat when last matched.
  const statFile = join(COMPILED, `stat-${createHash('sha256').update(scripts).digest('hex').slice(0, 16)}`);
  const files = sourceFiles(scripts);
  const stat = sourcesStat(scripts, files);
  if (compiled !== undefined && existsSync(statFile) && readFileSync(statFile, 'utf8') === `${compiled}\n${stat.text}`) return entry;
  const stamp = sourcesStamp(scripts, files);
  // The bytes match what was compiled (now, or below): remember their stat for the next run.
  const remember = () => {
    if (stat.racy) return;
    writeAtomically(statFile, `${stamp}\n${stat.text}`);
    forgetOldCopies();
  };
  if (compiled === stamp) {
    remember();
    return entry;
  }
  const { build, stop } = await import('esbuild');
  const staging = `${COMPILED}.${process.pid}`;
  await build({
    entryPoints: [join(scripts, 'cli.ts'), join(scripts, 'pipeline', 'markdown-worker.ts')],
    outdir: staging,
    outbase: scripts,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // npm packages are bundled in: one file per chunk instead of hundreds of modules to resolve,
    // read and (for CommonJS) lex at every start. Packages that find files of their own beside
    // them (wasm, worker scripts, data files, a browser) stay external.
    plugins: [choosePackages],
    // The code knows the stamp of the sources it was compiled from: a build reads no source to know its own code.
    define: { BRIEF_SOURCES_STAMP: JSON.stringify(stamp) },
    // Bundled CommonJS calls require(); give the ESM chunks one.
    banner: { js: "import { createRequire as __briefRequire } from 'node:module'; const require = __briefRequire(import.meta.url);" },
    // Less for V8 to parse at every start (3.8 -> 2.6 MB; compiling the chunks was ~0.26 s of a
    // cold build's main thread): no-change builds 0.16 -> 0.15 s, cold 1.62 -> 1.59 s (10 + 10
    // alternating). Names are kept, for stacks and profiles; positions map back (map-stack.ts).
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    // The bundled packages' licences, kept beside the code (cli.mjs.LEGAL.txt and the like).
    legalComments: 'linked',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  }).finally(() => {
    // esbuild's service process (~170 MB) would otherwise live as long as this one: through the
    // whole first build after an update of brief's code.
    stop();
  });
  writeFileSync(join(staging, 'stamp'), stamp);
  rmSync(COMPILED, { recursive: true, force: true });
  try {
    renameSync(staging, COMPILED);
  } catch {
    // Another process renamed its copy first: the same sources, so use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  remember();
  return entry;
}
