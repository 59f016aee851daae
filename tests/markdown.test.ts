import { describe, expect, it } from 'vitest';
import { renderBody } from './helpers/markdown.ts';

describe('Markdown to the brief body', () => {
  it('renders GFM tables with alignment', async () => {
    const { html } = await renderBody('| Year | GDP |\n|:-----|----:|\n| 2008 | −0.7% |\n');
    expect(html).toContain('<table>');
    expect(html).toContain('<th class="align-right">GDP</th>');
    expect(html).toContain('<td class="align-right">−0.7%</td>');
    expect(html).not.toContain('align=');
  });

  it('renders strikethrough and autolinks', async () => {
    const { html } = await renderBody('~~old~~ see https://www.state.gov/ now\n');
    expect(html).toContain('<del>old</del>');
    expect(html).toContain('<a href="https://www.state.gov/">https://www.state.gov/</a>');
  });

  it('turns footnotes into linked endnotes under a "Notes" heading', async () => {
    const { html } = await renderBody('A claim.[^1]\n\n[^1]: The source.\n');
    expect(html).toContain('<sup><a href="#fn-1" id="fnref-1" data-footnote-ref="" aria-describedby="footnote-label">1</a></sup>');
    expect(html).toContain('<section data-footnotes="" class="footnotes endnotes"><h2 id="footnote-label">Notes</h2>');
    expect(html).toContain('<li id="fn-1">');
    expect(html).toContain('href="#fnref-1"');
  });

  it('gives headings stable ids and lists them in order', async () => {
    const { html, file } = await renderBody('## Overview\n\n### Trade & Investment\n\n## Overview\n\n## 日米関係\n');
    expect(html).toContain('<h2 id="overview">Overview</h2>');
    expect(html).toContain('<h3 id="trade--investment">Trade &#x26; Investment</h3>');
    expect(html).toContain('<h2 id="overview-1">Overview</h2>');
    expect(file.data.headings).toEqual([
      { id: 'overview', depth: 2, text: 'Overview', line: 1, column: 1 },
      { id: 'trade--investment', depth: 3, text: 'Trade & Investment', line: 3, column: 1 },
      { id: 'overview-1', depth: 2, text: 'Overview', line: 5, column: 1 },
      { id: '日米関係', depth: 2, text: '日米関係', line: 7, column: 1 },
    ]);
  });

  it('numbers figures and takes captions from image titles', async () => {
    const { html, file } = await renderBody('![Map of bases](map.png "U.S. bases in Japan")\n\n![Second](map.png "Another")\n');
    expect(html).toMatch(/<figure class="figure" id="figure-1"><img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="Map of bases"><figcaption><span class="figure-label">Figure 1\.<\/span> U\.S\. bases in Japan<\/figcaption><\/figure>/);
    expect(html).toContain('<span class="figure-label">Figure 2.</span> Another');
    expect(file.data.dependencies?.[0]).toMatch(/tests\/fixtures\/map\.png$/);
  });

  it('captions a table from a "Table:" line before it', async () => {
    const { html } = await renderBody('Table: Trade with Japan\n\n| A | B |\n|---|---|\n| 1 | 2 |\n');
    expect(html).toContain('<div class="table-wrap" role="region" tabindex="0" aria-labelledby="table-1-caption"><table id="table-1"><caption id="table-1-caption"><span class="table-label">Table 1.</span> Trade with Japan</caption>');
    expect(html).not.toContain('<p>Table:');
  });

  it('hyphenates the printed text, but not headings or block titles', async () => {
    const { printHtml, html } = await renderBody(':::sidebar[Sidebar: information]\nGovernments negotiate.\n:::\n\n## International cooperation\n', { print: true });
    expect(printHtml).toContain('<p class="sidebar-title">Sidebar: information</p>');
    expect(printHtml).toContain('Gov\u00adern\u00adments ne\u00adgo\u00adti\u00adate.');
    expect(printHtml).toContain('>International cooperation</h2>');
    expect(html).not.toContain('\u00ad');
  });

  it('lets a keyboard scroll a wide table, in a region named by its caption or header row', async () => {
    const { html } = await renderBody('| Year | Trade |\n|---|---|\n| 2008 | 1 |\n');
    expect(html).toContain('<div class="table-wrap" role="region" tabindex="0" aria-label="Table: Year, Trade"><table>');
  });

  it('warns about a missing image and shows a placeholder', async () => {
    const { html, messages } = await renderBody('Text\n\n![A chart](chart.png)\n');
    expect(messages).toEqual(['3:1 Image "chart.png" not found (looked for tests/fixtures/chart.png). (missing-image)']);
    expect(html).toContain('<span class="image-missing" role="img" aria-label="A chart">[A chart: chart.png]</span>');
  });

  it('reports a malformed image address at the image, not as a crash', async () => {
    const { html, messages } = await renderBody('Text.\n\n![Map](https://[oops/map.png)\n', { allowRemote: ['example.com'] });
    expect(messages).toEqual(['3:1 Image address "https://[oops/map.png" is not a valid URL: check it for spaces, brackets or a stray character in the host name. (missing-image)']);
    expect(html).toContain('class="image-missing"');
  });

  it('does not fetch remote images', async () => {
    const { html, messages } = await renderBody('![x](https://example.com/x.png)\n');
    expect(messages[0]).toMatch(/^1:1 Remote image "https:\/\/example\.com\/x\.png" is not fetched.*\(remote-image\)$/);
    expect(html).not.toContain('https://example.com/x.png"');
  });

  it('makes callouts, sidebars and pull quotes from ::: blocks', async () => {
    const { html } = await renderBody(':::callout{type=warning}\nMind this.\n:::\n\n:::sidebar[Background]\nHistory.\n:::\n\n:::pullquote\nA quote.\n:::\n');
    expect(html).toContain('<aside class="callout callout-warning" aria-label="Warning"><p class="callout-title">Warning</p><p>Mind this.</p></aside>');
    expect(html).toContain('<aside class="sidebar" aria-label="Background"><p class="sidebar-title">Background</p><p>History.</p></aside>');
    expect(html).toContain('<aside class="pullquote" aria-hidden="true"><p>A quote.</p></aside>');
  });

  it('names each box landmark by its title, numbered when titles repeat', async () => {
    const { html } = await renderBody(':::callout\nOne.\n:::\n\n:::callout\nTwo.\n:::\n\n:::callout{type=tip}\nThree.\n:::\n\n:::sidebar\nFour.\n:::\n\n:::sidebar\nFive.\n:::\n', { labels: { callout_note: 'Note', callout_tip: 'Tip', sidebar: 'Sidebar' } });
    expect([...html.matchAll(/<aside [^>]*aria-label="([^"]*)"/g)].map((match) => match[1])).toEqual(['Note 1', 'Note 2', 'Tip', 'Sidebar 1', 'Sidebar 2']);
  });

  it('lifts a :::key-points block out of the body', async () => {
    const { html, file } = await renderBody('Intro.\n\n:::key-points\n- One\n- Two\n:::\n\nMore.\n');
    expect(html).not.toContain('One');
    expect(file.data.keyPointsHtml).toBe('<ul>\n<li>One</li>\n<li>Two</li>\n</ul>');
  });

  it('warns about an unknown block and keeps its text', async () => {
    const { html, messages } = await renderBody(':::warning\nCareful.\n:::\n');
    expect(messages).toEqual(['1:1 Unknown block ":::warning"; it is kept as plain text. Blocks: key-points, callout, sidebar, pullquote. (unknown-directive)']);
    expect(html).toContain('<div><p>Careful.</p></div>');
  });

  it('keeps text that only looks like a directive', async () => {
    const { html } = await renderBody('Note:This is fine at 10:30, ratio 3:1.\n');
    expect(html).toBe('<p>Note:This is fine at 10:30, ratio 3:1.</p>');
  });

  it('keeps {{handlebars}} written in the text as text', async () => {
    const { html } = await renderBody('Write {{title}} and {{{body}}} literally.\n');
    expect(html).toBe('<p>Write {{title}} and {{{body}}} literally.</p>');
  });

  it('keeps the raw HTML briefs need and drops active content', async () => {
    const { html } = await renderBody('<abbr title="Democratic Party of Japan">DPJ</abbr> <span lang="ja">日本</span> <kbd>K</kbd><sup>2</sup>\n\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(1)">\n\n<a href="javascript:alert(1)">x</a>\n');
    expect(html).toContain('<abbr title="Democratic Party of Japan">DPJ</abbr>');
    expect(html).toContain('<span lang="ja">日本</span>');
    expect(html).toContain('<kbd>K</kbd><sup>2</sup>');
    expect(html).not.toMatch(/script|onerror|javascript:/i);
  });
});

describe('languages inside a brief', () => {
  it('marks Japanese words in an English brief with lang="ja"', async () => {
    const { html } = await renderBody('The 日米安全保障条約 of 1960, and 「核の傘」.\n');
    expect(html).toBe('<p>The <span lang="ja">日米安全保障条約</span> of 1960, and <span lang="ja">「核の傘」</span>.</p>');
  });

  it('leaves text that already carries a language alone', async () => {
    const { html } = await renderBody('<span lang="ja">日本</span> and `日本`\n');
    expect(html).toBe('<p><span lang="ja">日本</span> and <code>日本</code></p>');
  });
});
