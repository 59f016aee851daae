import { join } from 'node:path';
import type Handlebars from 'handlebars';
import { TOOL_ROOT } from '../paths.ts';
import { KeptOnDisk } from './kept-on-disk.ts';
import { Remembered } from './remembered.ts';

/** Options every template is compiled with (template.ts): a misspelt field is an error. */
export const TEMPLATE_OPTIONS = { strict: true, preventIndent: true } as const;

/** Compiled templates kept on disk, the most recently written: every edit of a template in watch mode writes one. */
export const KEPT_ON_DISK = 128;
/** Where compiled templates are kept between runs, by what they were compiled from. */
const onDisk = new KeptOnDisk(join(TOOL_ROOT, 'node_modules', '.cache', 'brief', 'handlebars'), { suffix: '.js', limit: KEPT_ON_DISK });
/** Compiled templates this process has met, by the same key (watch mode, many runs in one process). */
const memory = new Remembered<string, object>(256);

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
  const key = templateKey(handlebars, source);
  let spec = memory.get(key) ?? readSpec(key);
  if (!spec) {
    // Throws on a syntax error, as compile() would on first use.
    const code = String(handlebars.precompile(source, TEMPLATE_OPTIONS));
    spec = evaluate(code);
    onDisk.write(key, code);
  }
  memory.set(key, spec);
  return handlebars.template(spec as Parameters<typeof handlebars.template>[0]);
}

/** What a compiled template depends on: Handlebars' version, the options and the source's bytes. */
function templateKey(handlebars: typeof Handlebars, source: string): string {
  return `${handlebars.VERSION}\0${JSON.stringify(TEMPLATE_OPTIONS)}\0${source}`;
}

/** The file the compiled form of `source` is kept in (for the tests). */
export function compiledPath(handlebars: typeof Handlebars, source: string): string {
  return onDisk.path(templateKey(handlebars, source));
}

/** A precompiled template's code (an object literal of functions Handlebars wrote) as that object. */
function evaluate(code: string): object {
  return new Function(`return ${code};`)() as object;
}

/** A compiled template kept by an earlier run; undefined if there is none or it is damaged (compiled again, and replaced). */
function readSpec(key: string): object | undefined {
  const code = onDisk.read(key);
  if (code === undefined) return undefined;
  try {
    return evaluate(code.toString('utf8'));
  } catch {
    return undefined;
  }
}
