import type { Io } from '../cli.ts';
import { EXIT, UsageError } from '../errors.ts';
import { batch, batch1000 } from '../bench/batch.ts';
import { chartCost } from '../bench/chart-cost.ts';
import { coldBuild } from '../bench/cold-build.ts';
import { footnotes } from '../bench/footnotes.ts';
import { corpus } from '../bench/corpus.ts';
import { noChange } from '../bench/no-change.ts';
import { watchEdit } from '../bench/watch-edit.ts';
import { stopChildren } from '../bench/children.ts';
import { formatRows, type BenchRow } from '../bench/measure.ts';
import { parseCommandLine, parseInteger } from './args.ts';

export const BENCH_HELP = `Usage: npm run bench -- [scenario…] [--runs N]

Measures brief's speed against baselines run on this machine in the same run, and prints medians
and ratios (machines are noisy: compare ratios, not absolute figures across runs).

Scenarios:
  cold        a cold npm run build of the seed, vs md-to-pdf and a bare Chromium launch + print
  watch       edit → HTML and edit → PDF in watch mode, vs a warm page.pdf() of the same HTML
  nochange    a no-change npm run build (must not start Chrome) and build --help, vs npm running an empty script
  batch       100 briefs from scratch vs md-to-pdf on the same files; peak memory; --jobs 1 to 4
  chart       the seed with a vega-lite chart vs the same with the chart as an SVG image: Markdown stage (warm), cold build
  footnotes   a 40-note brief with footnotes at the foot of each page vs the same with endnotes
  corpus      every README.md under node_modules, as it is, html and pdf: how many build, time per
              document, the most common messages
  batch1000   (opt-in, some minutes) 100 briefs, then 1,000: time and peak memory should grow 10× and not at all

Options:
  --runs N     runs per measurement (default 5)
  -h, --help   show this help`;

type Scenario = (runs: number, log: (line: string) => void) => Promise<{ rows: BenchRow[]; against: string }>;

const SCENARIOS: Record<string, { title: string; run: Scenario; optIn?: boolean }> = {
  cold: { title: 'Cold build of the seed brief (wall and CPU time, npm start included)', run: coldBuild },
  watch: { title: 'Watch mode: an edit to the seed brief until its outputs are rewritten', run: watchEdit },
  nochange: { title: 'Starting up: a no-change npm run build of the seed brief, and --help (wall and CPU time, npm start included)', run: noChange },
  batch: { title: '100 briefs the size of the seed, from scratch (wall and CPU time, peak memory of the process tree)', run: batch },
  chart: { title: 'What a chart costs: the seed brief with a vega-lite chart from a CSV, vs the same chart as an SVG image', run: chartCost },
  footnotes: { title: 'Footnotes: the 40-note test brief (6 pages) with footnotes vs with endnotes, one brief per build', run: footnotes },
  corpus: { title: 'Every README.md under node_modules, as it is, HTML and PDF in one build (wall time per document)', run: corpus },
  batch1000: { title: '1,000 briefs against 100, from scratch (wall and CPU time, peak memory of the process tree)', run: batch1000, optIn: true },
};

/** `npm run bench`: runs the benchmark scenarios and prints their tables. */
export async function bench(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { runs: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(`${BENCH_HELP}\n`);
    return EXIT.ok;
  }
  const runs = parseInteger('runs', values.runs, 1, 100) ?? 5;
  const names = positionals.length > 0 ? positionals : Object.keys(SCENARIOS).filter((name) => !SCENARIOS[name]!.optIn);
  const unknown = names.find((name) => !SCENARIOS[name]);
  if (unknown) throw new UsageError(`Unknown scenario "${unknown}". Scenarios: ${Object.keys(SCENARIOS).join(', ')}.`);
  // Interrupted (Ctrl-C, SIGTERM): what the scenario is running is stopped, and no scenario starts.
  io.signal.addEventListener('abort', stopChildren, { once: true });
  try {
    for (const name of names) {
      if (io.signal.aborted) break;
      const scenario = SCENARIOS[name]!;
      io.stdout.write(`${scenario.title}\n`);
      const { rows, against } = await scenario.run(runs, (line) => io.stderr.write(`${line}\n`));
      io.stdout.write(`${formatRows(rows, against)}\n\n`);
    }
  } catch (error) {
    // A measurement whose process was stopped: not a failure of the benchmark.
    if (!io.signal.aborted) throw error;
  } finally {
    io.signal.removeEventListener('abort', stopChildren);
  }
  return io.signal.aborted ? EXIT.failed : EXIT.ok;
}
