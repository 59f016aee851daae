import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { drawChart } from '../pipeline/chart.ts';
import { createMarkdownProcessor, renderMarkdown, type MarkdownOptions } from '../pipeline/markdown.ts';
import { briefMatterSchema } from '../pipeline/schema.ts';
import { TOOL_ROOT } from '../paths.ts';
import { benchProject, measureCommand, median, record, timeCommand, type BenchRow } from './measure.ts';

const GDP = 'year,growth\n2000,2.8\n2001,0.4\n2002,0.1\n2003,1.5\n2004,2.2\n2005,1.8\n2006,1.4\n2007,1.5\n2008,-1.2\n2009,-5.7\n2010,4.1\n';
const SPEC = `description: Annual real GDP growth in percent, 2000 to 2010.
data: {url: gdp.csv}
mark: {type: line, point: true}
encoding:
  x: {field: year, type: ordinal, title: Year}
  y: {field: growth, type: quantitative, title: Growth (%)}`;

/**
 * Issue 11: what a chart costs a brief. The seed brief with one chart drawn from a CSV, against
 * the same brief with that chart as an SVG image beside it: the Markdown stage in this process
 * once warm (a brief of a batch, or an edit in watch mode), and a cold `npm run build` (Vega
 * loaded once in the worker, included).
 */
export async function chartCost(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const seed = await readFile(join(TOOL_ROOT, 'source', 'us-japan-relations.md'), 'utf8');
  const theme = JSON.parse(await readFile(join(TOOL_ROOT, 'templates', 'policy-brief', 'chart-theme.json'), 'utf8')) as Record<string, unknown>;
  const withChart = `${seed}\n\n\`\`\`vega-lite {#fig-gdp caption="Real GDP growth, 2000–2010"}\n${SPEC}\n\`\`\`\n`;
  const withImage = `${seed}\n\n![Annual real GDP growth in percent, 2000 to 2010.](chart.svg "Real GDP growth, 2000–2010")\n`;
  const project = await benchProject({});
  try {
    const source = join(project.root, 'source');
    await writeFile(join(source, 'gdp.csv'), GDP);
    const inline = SPEC.replace('data: {url: gdp.csv}', `data: {values: ${JSON.stringify(GDP)}, format: {type: csv}}`);
    await writeFile(join(source, 'chart.svg'), (await drawChart(parse(inline) as never, { theme, lang: 'en' })).svg);

    // Warm: the Markdown stage alone, as a worker runs it for each brief.
    const options: MarkdownOptions = { allowedRoots: [source], maxImageBytes: 10 * 1024 * 1024, maxDataBytes: 5 * 1024 * 1024, fetchTimeoutMs: 1000, maxDepth: 48 };
    const processor = createMarkdownProcessor(options);
    const matter = briefMatterSchema.parse({ title: 'Bench', lang: 'en' });
    const render = async (value: string) => {
      const start = performance.now();
      const cpu = process.cpuUsage();
      await renderMarkdown(processor, { path: join(source, 'brief.md'), value, matter, labels: {}, chartTheme: theme, trustHtml: false, allowRemote: [], print: true }, options);
      const used = process.cpuUsage(cpu);
      return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
    };
    for (let warm = 0; warm < 3; warm++) await Promise.all([render(withChart), render(withImage)]);
    const warmChart: BenchRow = { label: 'Markdown stage, seed + 1 chart (warm)', runsMs: [] };
    const warmImage: BenchRow = { label: 'Markdown stage, seed + the chart as an SVG image (warm)', runsMs: [] };
    for (let run = 0; run < Math.max(runs * 6, 30); run++) {
      record(warmChart, await render(withChart));
      record(warmImage, await render(withImage));
    }

    // Cold: the whole build, HTML and PDF, in a fresh process.
    const coldChart: BenchRow = { label: 'npm run build, seed + 1 chart (cold)', runsMs: [] };
    const coldImage: BenchRow = { label: 'npm run build, seed + the chart as an SVG image (cold)', runsMs: [] };
    for (const [row, text] of [[coldChart, withChart], [coldImage, withImage]] as const) {
      await writeFile(join(source, 'brief.md'), text);
      await timeCommand('npm', ['run', 'build'], { cwd: project.root });
      for (let run = 0; run < runs; run++) {
        log(`  chart: ${row.label}, run ${run + 1} of ${runs}`);
        await rm(join(project.root, 'output'), { recursive: true, force: true });
        record(row, await measureCommand('npm', ['run', 'build'], { cwd: project.root }));
      }
    }
    // Each pair differs only by the chart: the difference is what the chart costs (CPU time is
    // the steadier figure on a shared machine).
    const cost = (chart: BenchRow, image: BenchRow) => `the chart costs ${Math.round(median(chart.runsMs) - median(image.runsMs))} ms wall, ${Math.round(median(chart.cpuMs!) - median(image.cpuMs!))} ms CPU`;
    warmChart.note = cost(warmChart, warmImage);
    coldChart.note = cost(coldChart, coldImage);
    return { rows: [warmChart, warmImage, coldChart, coldImage], against: 'none (pairs compared in the notes)' };
  } finally {
    await project.remove();
  }
}
