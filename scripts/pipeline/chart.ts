import type { Loader, LocaleFormatters, View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/** What drawing one chart needs besides its spec. */
export interface ChartOptions {
  /** The template's chart theme: a Vega-Lite `config` (templates/<name>/chart-theme.json). */
  theme: Record<string, unknown> | undefined;
  /** The brief's language: numbers and dates on axes are formatted in it. */
  lang: string;
}

/** A chart drawn as an SVG document, with what Vega-Lite warned about on the way. */
export interface DrawnChart {
  svg: string;
  warnings: string[];
}

/** A spec Vega-Lite or Vega rejected, or a resource a chart tried to load: the user's mistake, in words. */
export class ChartError extends Error {}

/**
 * Draws a Vega-Lite spec as an SVG string, in Node and without a browser: Vega-Lite compiles it
 * to Vega with the template's theme, Vega lays it out and its SVG renderer writes text as real
 * <text> in the theme's fonts (so the page embeds them like the rest of its text). The data must
 * already be inline: the loader given to Vega refuses every URL and file, so a spec can reach
 * neither the network nor the disk. Both libraries are loaded on the first chart only.
 */
export async function drawChart(spec: TopLevelSpec, options: ChartOptions): Promise<DrawnChart> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger = collectingLogger(warnings, errors);
  let compiled;
  try {
    compiled = vegaLite.compile(spec, { config: options.theme ?? {}, logger }).spec;
  } catch (error) {
    throw new ChartError(`Vega-Lite cannot compile the spec: ${messageOf(error)}`);
  }
  let view: View | undefined;
  const refused: string[] = [];
  try {
    view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: refusingLoader(refused), logger, locale: localeFor(options.lang) });
    await view.runAsync();
    const svg = await view.toSVG();
    // Vega logs a failed load or expression instead of throwing: such a chart would be drawn blank.
    if (refused.length > 0) throw new ChartError(`the chart tries to load "${refused[0]}"; charts may only use data inline or from a CSV, TSV or JSON file beside the brief (data: {url: file.csv}), and no images or links`);
    if (errors.length > 0) throw new ChartError(errors[0]!);
    return { svg, warnings };
  } catch (error) {
    if (error instanceof ChartError) throw error;
    throw new ChartError(`Vega cannot draw the chart: ${messageOf(error)}`);
  } finally {
    view?.finalize();
  }
}

/**
 * Vega's loader, replaced: charts draw only the data brief has read and inlined. Vega logs a
 * failed load as a warning and draws on without the data, so each refusal is also noted in
 * `refused`, for drawChart to fail on.
 */
function refusingLoader(refused: string[]): Loader {
  const refuse = async (uri: string): Promise<never> => {
    refused.push(uri);
    throw new ChartError(`charts load nothing ("${uri}")`);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** A Vega logger that keeps warnings and errors instead of printing them. */
function collectingLogger(warnings: string[], errors: string[]) {
  const logger = {
    level(_level?: number) {
      return arguments.length === 0 ? 2 : logger;
    },
    error(...args: readonly unknown[]) {
      errors.push(args.map(messageOf).join(' '));
      return logger;
    },
    warn(...args: readonly unknown[]) {
      warnings.push(args.map(messageOf).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  // Vega's LoggerInterface overloads level(); this one answers both forms.
  return logger as unknown as import('vega').LoggerInterface;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Number and date formats for a language (d3-format and d3-time-format definitions); English
 * uses Vega's defaults. Japanese: grouping as in English, months and weekdays in Japanese.
 */
function localeFor(lang: string): LocaleFormatters | undefined {
  const primary = lang.toLowerCase().split('-')[0];
  // vega-view reads the definitions ({number, time}) and builds the formatters itself; its type
  // declarations say formatters.
  return LOCALES[primary ?? ''] as LocaleFormatters | undefined;
}

const LOCALES: Record<string, { number: object; time: object }> = {
  ja: {
    number: { decimal: '.', thousands: ',', grouping: [3], currency: ['', '円'] },
    time: {
      dateTime: '%Y/%m/%d %H:%M:%S',
      date: '%Y/%m/%d',
      time: '%H:%M:%S',
      periods: ['午前', '午後'],
      days: ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'],
      shortDays: ['日', '月', '火', '水', '木', '金', '土'],
      months: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
      shortMonths: ['1月', '2月', '3月', '4月', '5月', '6月', '7月', '8月', '9月', '10月', '11月', '12月'],
    },
  },
};
