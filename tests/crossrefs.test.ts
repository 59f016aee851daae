import { describe, expect, it } from 'vitest';
import { renderBody } from './helpers/markdown.ts';

const en = { figure: 'Figure {n}.', table: 'Table {n}.', figure_ref: 'Figure {n}', table_ref: 'Table {n}', section_ref: 'Section {n}' };
const ja = { figure: '図{n}', table: '表{n}', figure_ref: '図{n}', table_ref: '表{n}', section_ref: '{n}節' };

const body = `## Background {#sec-background}

See @fig-second, @tbl-trade and @sec-outlook.

![A first map](map.png "First")

![A second map](map.png){#fig-second}

| Year | Trade |
|------|-------|
| 2023 | 12    |

Table: Trade by year {#tbl-trade}

## Outlook {#sec-outlook}

### Risks {#sec-risks}

Text, and @sec-risks.
`;

describe('cross-references', () => {
  it('prints figures, tables and sections by their number, as links to them', async () => {
    const { html, messages } = await renderBody(body, { labels: en });
    expect(messages).toEqual([]);
    expect(html).toContain('See <a href="#fig-second" class="crossref">Figure 2</a>, <a href="#tbl-trade" class="crossref">Table 1</a> and <a href="#sec-outlook" class="crossref">Section 2</a>.');
    expect(html).toContain('<a href="#sec-risks" class="crossref">Section 2.1</a>');
    expect(html).toContain('<h2 id="sec-outlook">Outlook</h2>');
    expect(html).toContain('<table id="tbl-trade"><caption id="tbl-trade-caption"><span class="table-label">Table 1.</span> Trade by year</caption>');
  });

  it('takes a labelled image\'s alternative text as its caption, as Quarto does', async () => {
    const { html } = await renderBody(body, { labels: en });
    expect(html).toMatch(/<figure class="figure" id="fig-second"><img [^>]*alt="A second map"[^>]*><figcaption><span class="figure-label">Figure 2\.<\/span> A second map<\/figcaption><\/figure>/);
  });

  it('numbers from the final order: moving a figure renumbers its references', async () => {
    const moved = body.replace('![A first map](map.png "First")\n\n![A second map](map.png){#fig-second}', '![A second map](map.png){#fig-second}\n\n![A first map](map.png "First")');
    const { html } = await renderBody(moved, { labels: en });
    expect(html).toContain('<a href="#fig-second" class="crossref">Figure 1</a>');
  });

  it('uses the brief\'s language: 図2, 表1, 2節', async () => {
    const { html } = await renderBody(body, { labels: ja, lang: 'ja' });
    expect(html).toContain('See <a href="#fig-second" class="crossref">図2</a>, <a href="#tbl-trade" class="crossref">表1</a> and <a href="#sec-outlook" class="crossref">2節</a>.');
  });

  it('reads a table caption written after the table, and [@fig-x] in brackets', async () => {
    const { html, messages } = await renderBody('![Map](map.png){#fig-map}\n\n| a |\n|---|\n| 1 |\n\nTable: After {#tbl-after}\n\nAs shown [@fig-map], and in @tbl-after.\n', { labels: en });
    expect(messages).toEqual([]);
    expect(html).toContain('As shown <a href="#fig-map" class="crossref">Figure 1</a>, and in <a href="#tbl-after" class="crossref">Table 1</a>.');
  });

  it('leaves citation keys, e-mail addresses and code alone', async () => {
    const { html, messages } = await renderBody('As @smith2020 argues [@doe2019, p. 4]; mail press@fig-news.org; `@fig-x`.\n', { labels: en });
    // Nothing from the cross-references; the citation, in a brief with no bibliography, is only pointed out.
    expect(messages).toEqual(['1:22 Citation "[@doe2019, p. 4]" has no bibliography to come from: add "bibliography: refs.bib" to the front matter, or write \\[ to keep the bracket as text. (citation-key)']);
    expect(html).toContain('As @smith2020 argues [@doe2019, p. 4]; mail <a href="mailto:press@fig-news.org">press@fig-news.org</a>; <code>@fig-x</code>.');
  });

  it('reports a reference to an unknown label at the reference, with the closest label', async () => {
    const { messages } = await renderBody(`${body}\nAnd @fig-secnd here.\n`, { labels: en });
    expect(messages).toEqual(['21:5 Reference "@fig-secnd" points at no labelled figure (label images and charts with {#fig-name}). Did you mean "@fig-second"? (crossref-unknown)']);
  });

  it('reports a label used twice at the second', async () => {
    const { messages } = await renderBody('![One](map.png){#fig-map}\n\n## Map {#fig-map}\n\ntext\n', { labels: en });
    expect(messages).toContain('3:8 Label "#fig-map" is already used at line 1: give this one another name. (crossref-duplicate)');
  });

  it('reports a chart label that repeats an image\'s', async () => {
    const chart = '```vega-lite {#fig-map caption="Chart"}\ndescription: x\ndata: {values: [{a: 1}]}\nmark: point\nencoding: {x: {field: a, type: quantitative}}\n```\n';
    const { messages } = await renderBody(`![One](map.png){#fig-map}\n\n${chart}`, { labels: en });
    expect(messages).toEqual(['3:1 Label "#fig-map" is already used at line 1: give this one another name. (crossref-duplicate)']);
  });
});
