import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ChartError, drawChart } from '../scripts/pipeline/chart.ts';
import { charactersByFace } from '../scripts/pipeline/font-usage.ts';
import { resolveFaces, type FontFamily } from '../scripts/pipeline/fonts.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { renderBody } from './helpers/markdown.ts';
import { letters, pdfFonts, pdfText } from './helpers/pdf.ts';
import { samples, type Samples } from './helpers/samples.ts';

const theme = JSON.parse(await readFile(join(TOOL_ROOT, 'templates', 'policy-brief', 'chart-theme.json'), 'utf8')) as Record<string, unknown>;
const fixtures = join(TOOL_ROOT, 'tests', 'fixtures', 'charts');

/** A vega-lite block as a brief writes it. */
const block = (spec: string, meta = '{#fig-gdp caption="Real GDP growth"}') => `\`\`\`vega-lite ${meta}\n${spec}\n\`\`\`\n`;
const bars = `description: Growth by year
data:
  values:
    - {year: "2000", gdp: 2.8}
    - {year: "2001", gdp: 1250.5}
mark: bar
encoding:
  x: {field: year, type: ordinal}
  y: {field: gdp, type: quantitative}`;

describe('vega-lite blocks', () => {
  it('draws a numbered figure: an accessible inline SVG with the caption and id of the block', async () => {
    const { html, messages } = await renderBody(`Intro.\n\n${block(bars)}`, { chartTheme: theme });
    expect(messages).toEqual([]);
    expect(html).toMatch(/<figure class="figure chart" id="fig-gdp"><svg [^>]*class="chart-svg"[^>]*role="img" aria-label="Growth by year"/);
    expect(html).toContain('<figcaption><span class="figure-label">Figure 1.</span> Real GDP growth</figcaption>');
    // Text is real text in the theme's fonts, for the page's font subsetting to embed.
    expect(html).toMatch(/<text [^>]*font-family="&#x22;Source Sans 3&#x22;, &#x22;Noto Sans JP&#x22;, sans-serif"[^>]*>2000<\/text>/);
  });

  it('offers the data as a table in a collapsed <details>, numbers in the brief\'s language', async () => {
    const en = await renderBody(block(bars), { chartTheme: theme });
    expect(en.html).toMatch(/<details class="chart-data"><summary>[^<]*Real GDP growth<\/summary>/);
    expect(en.html).not.toMatch(/<details[^>]* open/);
    expect(en.html).toContain('<td class="num">1,250.5</td>');
    const de = await renderBody(block(bars), { chartTheme: theme, lang: 'de' });
    expect(de.html).toContain('<td class="num">1.250,5</td>');
  });

  it('formats dates on a Japanese chart\'s axis in Japanese', async () => {
    const spec = `description: 月別
data: {values: [{month: "2020-01-01", v: 1}, {month: "2020-04-01", v: 3}, {month: "2020-07-01", v: 2}]}
mark: line
encoding:
  x: {field: month, type: temporal, timeUnit: yearmonth, axis: {format: "%b"}}
  y: {field: v, type: quantitative}`;
    const { html, messages } = await renderBody(block(spec), { chartTheme: theme, lang: 'ja' });
    expect(messages).toEqual([]);
    expect(html).toMatch(/<text[^>]*>4月<\/text>/);
  });

  it('gives two charts on a page ids of their own', async () => {
    const clipped = `description: Clipped
data: {values: [{a: 1, b: 2}, {a: 2, b: 5}]}
mark: {type: line, clip: true}
encoding:
  x: {field: a, type: quantitative, scale: {domain: [0, 1.5]}}
  y: {field: b, type: quantitative}`;
    const { html } = await renderBody(`${block(clipped, '{#fig-a caption="A"}')}\n${block(clipped, '{#fig-b caption="B"}')}`, { chartTheme: theme });
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
    expect(ids.filter((id) => id!.includes('clip')).length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, reference] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(reference);
  });

  it('reads data from a CSV file beside the brief', async () => {
    const spec = `description: GDP
data: {url: gdp.csv}
mark: line
encoding:
  x: {field: year, type: ordinal}
  y: {field: growth, type: quantitative}`;
    const { html, messages, dependencies } = await renderBody(block(spec), { chartTheme: theme, name: 'charts/brief.md' });
    expect(messages).toEqual([]);
    expect(html).toMatch(/<text[^>]*>2009<\/text>/);
    expect(html).toContain('<td class="num">-5.7</td>');
    expect(dependencies).toContain(join(fixtures, 'gdp.csv'));
  });

  it('reports a missing data file at the block, with where it looked', async () => {
    const spec = `data: {url: missing.csv}\nmark: bar\nencoding: {x: {field: a, type: nominal}}`;
    const { messages, html } = await renderBody(`Intro.\n\n${block(spec)}`, { chartTheme: theme, name: 'charts/brief.md' });
    expect(messages).toEqual(['4:7 Chart data "missing.csv" not found (looked for tests/fixtures/charts/missing.csv). Save it beside the brief. (chart-data)']);
    expect(html).not.toContain('<svg');
  });

  it('reports a field the data lacks at the field, with the closest name', async () => {
    const spec = `data: {url: gdp.csv}\nmark: line\nencoding:\n  x: {field: year, type: ordinal}\n  y: {field: grwth, type: quantitative}`;
    const { messages } = await renderBody(`Intro.\n\n${block(spec)}`, { chartTheme: theme, name: 'charts/brief.md' });
    expect(messages).toEqual(['8:14 Field "grwth" is not in the chart\'s data. Did you mean "growth"? Fields: year, growth. (chart-field)']);
  });

  it('reports a spec that is not JSON or YAML, and an unknown mark, at their places', async () => {
    const json = await renderBody(block('{"mark": "bar"\n "encoding": {}}'), { chartTheme: theme });
    expect(json.messages).toEqual(["3:2 The chart's spec is not valid JSON: Expected ',' or '}' after property value. (chart-spec)"]);
    const yaml = await renderBody(block('mark: bar\nencoding: [x: 1'), { chartTheme: theme });
    expect(yaml.messages).toEqual([expect.stringMatching(/^3:\d+ The chart's spec is neither valid JSON nor YAML: .*\(chart-spec\)$/)]);
    const rejected = await renderBody(block('description: x\ndata: {values: [{a: 1}]}\nmark: piechart\nencoding: {x: {field: a, type: quantitative}}'), { chartTheme: theme });
    expect(rejected.messages).toEqual([expect.stringMatching(/^4:7 Unknown mark "piechart"\. Marks: arc, area, bar, .* \(chart-spec\)$/)]);
  });

  it('reads no file outside the brief\'s folder and nothing from the network', async () => {
    const outside = await renderBody(block('data: {url: ../map.png}\nmark: bar'), { chartTheme: theme, name: 'charts/brief.md' });
    expect(outside.messages).toEqual([expect.stringMatching(/^2:7 Chart data "\.\.\/map\.png" is outside the brief's folder/)]);
    const remote = await renderBody(block('data: {url: "https://example.org/gdp.csv"}\nmark: bar'), { chartTheme: theme, name: 'charts/brief.md' });
    expect(remote.messages).toEqual([expect.stringMatching(/^2:7 Chart data "https:\/\/example\.org\/gdp\.csv" is not read: .*never the network\. \(chart-data\)$/)]);
  });

  it('gives Vega a loader that refuses every URL and file', async () => {
    for (const url of ['https://example.org/gdp.csv', 'file:///etc/passwd', '/etc/passwd', 'gdp.csv']) {
      const spec = { data: { url }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } as never;
      await expect(drawChart(spec, { theme, lang: 'en' })).rejects.toThrow(ChartError);
    }
    const image = { data: { values: [{ a: 1 }] }, mark: 'image', encoding: { x: { field: 'a', type: 'quantitative' }, url: { value: 'https://example.org/x.png' } } } as never;
    await expect(drawChart(image, { theme, lang: 'en' })).rejects.toThrow(/tries to load "https:\/\/example\.org\/x\.png"/);
  });

  it('warns about a chart with neither description nor caption', async () => {
    const { messages } = await renderBody(block('data: {values: [{a: 1}]}\nmark: point\nencoding: {x: {field: a, type: quantitative}}', ''), { chartTheme: theme });
    expect(messages).toEqual([expect.stringMatching(/^1:1 Chart has no text alternative: .*\(chart-name\)$/)]);
  });
});

describe('the policy-brief chart theme', () => {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };

  it('has a palette with 3:1 contrast on white whose first four colours differ in grey', () => {
    const palette = (theme.range as { category: string[] }).category;
    for (const colour of palette) expect(1.05 / (luminance(colour) + 0.05), colour).toBeGreaterThanOrEqual(3);
    const greys = palette.slice(0, 4).map(luminance).sort((a, b) => a - b);
    for (let at = 1; at < greys.length; at++) expect(greys[at]! - greys[at - 1]!).toBeGreaterThan(0.05);
  });

  it('draws text in the template\'s sans faces: each SVG character counts for the face that draws it', async () => {
    const families = parseYaml(await readFile(join(TOOL_ROOT, 'templates', 'policy-brief', 'fonts.yaml'), 'utf8')) as FontFamily[];
    const faces = resolveFaces(families, TOOL_ROOT);
    const { html } = await renderBody(block('description: 輸出\ndata: {values: [{地域: アジア, v: 1}]}\nmark: bar\nencoding:\n  y: {field: 地域, type: nominal}\n  x: {field: v, type: quantitative, title: Qz}'), { chartTheme: theme });
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>') + 6);
    const usage = charactersByFace(fromHtml(`<body style="font-family: 'Source Serif 4', 'Noto Serif JP', serif">${svg}</body>`), [], faces);
    const drawn = (family: string) => [...usage].filter(([face]) => face.family === family).flatMap(([, chars]) => [...chars]);
    expect(drawn('Noto Sans JP')).toEqual(expect.arrayContaining(['ア', 'ジ']));
    expect(drawn('Source Sans 3')).toContain('Q');
    expect(drawn('Noto Serif JP')).not.toContain('ア');
    expect(drawn('Source Serif 4')).not.toContain('Q');
  });
});

describe('SVG images', () => {
  it('names an SVG image whose text prints in the computer\'s fonts, at its line', async () => {
    const { messages } = await renderBody('Text.\n\n![Growth](labelled.svg "Growth")\n\n![Growth](outlined.svg "Growth")\n', { name: 'charts/brief.md' });
    expect(messages).toEqual(['3:1 SVG image "labelled.svg" draws text ("GDP growth") in fonts the PDF cannot embed: an image cannot use the page\'s fonts, so its text prints in a font of this computer. Convert its text to outlines where it was made, or draw the chart from its data in a vega-lite block. (font-not-embedded)']);
  });
});

describe('source notes', () => {
  it('sets a Source: paragraph after a figure or table as its note, kept with it', async () => {
    const { html } = await renderBody(`${block(bars)}\nSource: Cabinet Office.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n出典：財務省\n\nSource: not after a figure.\n`, { chartTheme: theme });
    expect(html).toMatch(/<div class="with-source"><figure[\s\S]*<\/figure><details class="chart-data">[\s\S]*<\/details>\s*<p class="source-note">Source: Cabinet Office\.<\/p><\/div>/);
    expect(html).toMatch(/<div class="with-source"><div class="table-wrap"[\s\S]*<\/table><\/div>\s*<p class="source-note"><span lang="ja">出典：財務省<\/span><\/p><\/div>/);
    expect(html).toContain('<p>Source: not after a figure.</p>');
  });
});

describe('a brief with two charts, in English and Japanese (the report showcase, built once for every test file)', () => {
  // tests/fixtures/report: two charts (one from gdp.csv), a table, references to them and to
  // sections, in both editions. The shared fixture builds it as `npm run build` does;
  // report.test.ts runs `npm run check --strict` on it (axe-core on the handouts included) and
  // the Nu Html Checker on its handouts.
  let built: Samples;
  beforeAll(async () => {
    built = await samples(inject('samples'));
  });
  const output = (name: string) => built.output(name);

  it('builds with no error and no warning', () => {
    expect(`${built.build.stdout}${built.build.stderr}`).not.toMatch(/report(\.ja)?\.md:\d+:\d+ (error|warning) /);
    expect(built.build.code).toBe(0);
  });

  it('embeds only the template\'s fonts, chart text included', async () => {
    for (const name of ['report', 'report.ja']) {
      const fonts = await pdfFonts(output(`${name}.pdf`));
      expect(fonts.every((font) => font.embedded && /^[A-Z]{6}\+(SourceSerif4|SourceSans3|NotoSerifJP|NotoSansJP)-/.test(font.name))).toBe(true);
    }
  });

  it('has the charts\' labels in the PDF\'s text, and references as numbers', async () => {
    const en = await pdfText(output('report.pdf'));
    expect(en).toContain('Exports (US$ billion)');
    expect(en).toContain('North America');
    expect(en).toContain('as Figure 1 shows');
    expect(en).toContain('(Table 1)');
    // An axis tick below zero, on a line of its own, with a real minus sign.
    expect(en).toMatch(/^(−5|−4)$/m);
    // pdftotext spaces Latin from Japanese: compare letters only.
    const ja = letters(await pdfText(output('report.ja.pdf')));
    for (const text of ['輸出額（10億ドル）', 'アジア', '（図1）', '（表1）', '3節で扱う']) expect(ja).toContain(letters(text));
  });

  it('links each reference to its figure, table or section in the PDF', async () => {
    const pdf = await PDFDocument.load(await readFile(output('report.pdf')));
    const destinations = pdf.getPages().flatMap((page) =>
      (page.node.Annots()?.asArray() ?? []).map((ref) => pdf.context.lookup(ref, PDFDict).get(PDFName.of('Dest'))).filter((dest): dest is PDFName => dest instanceof PDFName).map((dest) => dest.decodeText()),
    );
    expect(destinations).toEqual(expect.arrayContaining(['fig-gdp', 'fig-exports', 'tbl-partners', 'sec-trade']));
  });
});
