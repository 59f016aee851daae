import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { TOOL_ROOT } from '../paths.ts';
import { writeFileAtomic } from './write.ts';
import { Remembered } from './remembered.ts';

/** Options every template is compiled with (template.ts): a misspelt field is an error. */
export const TEMPLATE_OPTIONS = { strict: true, preventIndent: true } as const;

/** Where compiled templates are kept between runs, by the hash of what they were compiled from. */
const CACHE_DIR = join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'handlebars');
/** Compiled templates this process has met, by the same hash (watch mode, many runs in one process). */
const memory = new Remembered<string, object>(256);
/** Compiled templates kept on disk, the most recently written: every edit of a template in watch mode writes one. */
export const KEPT_ON_DISK = 128;

/**
 * A layout or partial compiled to JavaScript by Handlebars, once per content: compiling the stock
 * layout and its partials takes about 70 ms of CPU (idle, in a fresh process), in every run of a
 * process that runs many (watch mode after a template edit, the tests), and their bytes rarely change. The compiled form (Handlebars' precompiled template) is kept in
 * this process and under node_modules/.cache, keyed by the source's bytes, the options and
 * Handlebars' version; a source never compiled before is parsed and compiled as usual, so its
 * syntax errors surface at load. Runtime behaviour is the same: compile() and precompile() emit
 * the same code, with the same positions for strict-mode misses.
 */
export async function compileTemplate(handlebars: typeof Handlebars, source: string): Promise<Handlebars.TemplateDelegate> {
  const key = createHash('sha256').update(`${handlebars.VERSION}\0${JSON.stringify(TEMPLATE_OPTIONS)}\0`).update(source).digest('hex');
  const path = join(CACHE_DIR, `${key}.js`);
  let spec = memory.get(key) ?? (await readSpec(path));
  if (!spec) {
    // Throws on a syntax error, as compile() would on first use.
    const code = String(handlebars.precompile(source, TEMPLATE_OPTIONS));
    spec = evaluate(code);
    // Kept for the next run with the project's atomic write; a cache only, so a failed write
    // (read-only, full disk) is no error.
    await writeFileAtomic(path, code)
      .then(forgetOldCompiled)
      .catch(() => undefined);
  }
  memory.set(key, spec);
  return handlebars.template(spec as Parameters<typeof handlebars.template>[0]);
}

/** A precompiled template's code (an object literal of functions Handlebars wrote) as that object. */
function evaluate(code: string): object {
  return new Function(`return ${code};`)() as object;
}

/** A compiled template kept by an earlier run; undefined if there is none or it is damaged (compiled again, and replaced). */
async function readSpec(path: string): Promise<object | undefined> {
  const code = await readFile(path, 'utf8').catch(() => undefined);
  if (code === undefined) return undefined;
  try {
    return evaluate(code);
  } catch {
    return undefined;
  }
}

/** Removes all but the KEPT_ON_DISK compiled templates written last (one forgotten is compiled again when met). */
async function forgetOldCompiled(): Promise<void> {
  const names = (await readdir(CACHE_DIR)).filter((name) => name.endsWith('.js'));
  if (names.length <= KEPT_ON_DISK) return;
  const files = await Promise.all(names.map(async (name) => ({ path: join(CACHE_DIR, name), time: (await stat(join(CACHE_DIR, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  files.sort((a, b) => b.time - a.time);
  await Promise.all(files.slice(KEPT_ON_DISK).map((file) => rm(file.path, { force: true })));
}
