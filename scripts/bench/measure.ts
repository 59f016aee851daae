import { cp, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { childrenStopped, spawnChild } from './children.ts';

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs a command to completion and returns its wall time in milliseconds; throws if it fails. */
export async function timeCommand(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<number> {
  return (await measureCommand(command, args, options)).wallMs;
}

/** Wall time and CPU time (user + system, of the command and every process it waited for). */
export interface Measured {
  wallMs: number;
  cpuMs: number;
}

/**
 * Runs a command to completion under bash, whose `times` then reports the CPU time of everything
 * the command ran and waited for (npm, node, Chrome and its helpers); throws if it fails.
 */
export async function measureCommand(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Measured> {
  const start = performance.now();
  const script = '"$@" >/dev/null || exit $?; times >&2';
  const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve, reject) => {
    const child = spawnChild('bash', ['-c', script, 'bench', command, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ stderr, code }));
  });
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`);
  return { wallMs, cpuMs: childCpuMs(stderr) };
}

/** The CPU time of a shell's children from the last line `times` printed ("0m1.234s 0m0.567s": user, system). */
export function childCpuMs(stderr: string): number {
  const children = stderr.trimEnd().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((match) => Number(match[1]) * 60 + Number(match[2]));
  if (seconds.length !== 2) throw new Error(`Could not read the CPU time: ${children}`);
  return (seconds[0]! + seconds[1]!) * 1000;
}

/** A copy of this project in a temporary folder (node_modules linked), with only the given sources. */
export async function benchProject(sources: Record<string, string>): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'brief-bench-'));
  for (const entry of ['package.json', 'package-lock.json', 'scripts', 'templates']) {
    // Keep times: a package-lock.json newer than node_modules would make npm run build reinstall.
    await cp(join(TOOL_ROOT, entry), join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  await symlink(join(TOOL_ROOT, 'node_modules'), join(root, 'node_modules'));
  // npm's own start, for comparison: a script that does nothing.
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  manifest.scripts.noop = 'node -e 0';
  await writeFile(join(root, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await utimes(join(root, 'package.json'), new Date(0), new Date(0));
  await mkdir(join(root, 'source'), { recursive: true });
  for (const [path, from] of Object.entries(sources)) await cp(from, join(root, 'source', path), { recursive: true });
  // Removed once every process an interrupted benchmark stopped is gone: a build still stopping writes into it.
  return { root, remove: async () => {
    await childrenStopped();
    await rm(root, { recursive: true, force: true });
  } };
}

/** One line of the report: a label, a median and how it compares. */
export interface BenchRow {
  label: string;
  /** Wall time of each run. */
  runsMs: number[];
  /** CPU time of each run (user + system, child processes included), where measured. */
  cpuMs?: number[];
  note?: string;
}

/** Adds one measured run to a row. */
export function record(row: BenchRow, measured: Measured): void {
  row.runsMs.push(measured.wallMs);
  (row.cpuMs ??= []).push(measured.cpuMs);
}

/** Formats rows as an aligned table: median, min–max, and the ratio to the row named `against`. */
export function formatRows(rows: BenchRow[], against?: string): string {
  const base = rows.find((row) => row.label === against);
  const width = Math.max(...rows.map((row) => row.label.length));
  return rows
    .map((row) => {
      const value = median(row.runsMs);
      const ratio = base && row !== base ? `  ${(value / median(base.runsMs)).toFixed(2)}× ${against}` : '';
      const cpu = row.cpuMs?.length ? `  CPU ${String(Math.round(median(row.cpuMs))).padStart(5)} ms${base?.cpuMs?.length && row !== base ? ` (${(median(row.cpuMs) / median(base.cpuMs)).toFixed(2)}×)` : ''}` : '';
      const spread = row.runsMs.length > 1 ? `  (${Math.round(Math.min(...row.runsMs))}–${Math.round(Math.max(...row.runsMs))} ms, n=${row.runsMs.length})` : '';
      return `  ${row.label.padEnd(width)}  ${String(Math.round(value)).padStart(6)} ms${spread}${cpu}${ratio}${row.note ? `  ${row.note}` : ''}`;
    })
    .join('\n');
}
