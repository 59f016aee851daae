import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';
import type { Format } from '../pipeline/settings.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, with its errors turned into usage errors (exit 2). */
export function parseCommandLine<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
}

/** `--format html,pdf` → ['html', 'pdf']. */
export function parseFormats(value: string | undefined): Format[] | undefined {
  if (value === undefined) return undefined;
  const formats = value.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
  const bad = formats.find((format) => format !== 'html' && format !== 'pdf');
  if (bad !== undefined || formats.length === 0) throw new UsageError(`--format takes html, pdf or html,pdf; got "${value}".`);
  return [...new Set(formats)] as Format[];
}

/** A whole number within [min, max], for options such as --jobs and --port. */
export function parseInteger(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}; got "${value}".`);
  return Number(value);
}

/** `--shard 2/4` → { index: 2, count: 4 }. */
export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes I/N with 1 ≤ I ≤ N, such as 2/4; got "${value}".`);
  return { index, count };
}
