import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { visit, SKIP } from 'unist-util-visit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildSession } from '../scripts/pipeline/build.ts';
import { findBriefs } from '../scripts/pipeline/discover.ts';
import { createMarkdownProcessor, renderMarkdown } from '../scripts/pipeline/markdown.ts';
import { resolveSettings } from '../scripts/pipeline/settings.ts';
import { parseCitations } from '../scripts/pipeline/parse-citations.ts';
import { growth, LINEAR_BOUND } from './helpers/growth.ts';
import { briefMatterSchema } from '../scripts/pipeline/schema.ts';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { markdownOptions } from './helpers/markdown.ts';
import { brief, createProject, type TempProject } from './helpers/project.ts';
import { axeViolationsOn, nuHtmlCheck, testBrowser } from './helpers/validators.ts';

const processor = createMarkdownProcessor(markdownOptions);
const FIXTURES = join(TOOL_ROOT, 'tests', 'fixtures', 'citations');
const LABELS = {
  en: { notes: 'Notes', bibliography: 'Bibliography', references: 'References', figure: 'Figure {n}.', table: 'Table {n}.' },
  ja: { notes: '注', bibliography: '参考文献', references: '参考文献', figure: '図{n}', table: '表{n}' },
};

/**
 * Renders a brief in tests/fixtures/citations/ whose front matter is `matter` (written out as
 * YAML, so positions count from the real first line of the body: line 1 + fields + 3).
 */
async function cite(body: string, matter: Record<string, unknown>) {
  const front = `---\ntitle: Test\n${Object.entries(matter).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n')}\n---\n`;
  const parsed = briefMatterSchema.parse({ title: 'Test', ...matter });
  const result = await renderMarkdown(
    processor,
    { path: join(FIXTURES, 'brief.md'), root: TOOL_ROOT, value: front + body, matter: parsed, labels: LABELS[parsed.lang === 'ja' ? 'ja' : 'en'], trustHtml: false, allowRemote: [], print: false },
    markdownOptions,
  );
  // The text as read in order, without the copies of notes shown beside the text on wide screens.
  const tree = fromHtml(result.html, { fragment: true });
  visit(tree, 'element', (node, index, parent) => {
    const classes = node.properties.className;
    if (!parent || index === undefined || !Array.isArray(classes) || !classes.includes('side-note')) return;
    parent.children.splice(index, 1);
    return [SKIP, index];
  });
  const text = toHtml(tree).replace(/<[^>]+>/g, '');
  return {
    ...result,
    text,
    /** The notes' texts, in order, without the back links. */
    notes: [...result.html.matchAll(/<li id="fn-[^"]+">\s*<p>([\s\S]*?)\s*<a href="#fnref/g)].map((match) => match[1]!.replace(/<[^>]+>/g, '').trim()),
    /** The bibliography's entries, as text. */
    entries: [...(/<ul class="bibliography">([\s\S]*?)<\/ul>/.exec(result.html)?.[1] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => match[1]!.replace(/<[^>]+>/g, '')),
    messages: result.messages.map((message) => `${message.file ? `${message.file.split('/').pop()}:` : ''}${message.line}:${message.column} ${message.fatal ? 'error' : 'warning'} ${message.reason} (${message.ruleId})`),
  };
}

/** Line of the body's first line in a brief made by cite() with `fields` front-matter fields. */
const bodyLine = (fields: number) => fields + 4;

describe('Pandoc citation syntax', () => {
  it('reads [@key], [@key, p. 14], [see @a; @b], [-@key] and narrative @key', () => {
    const found = parseCitations('A [@a] B [@b, p. 14] C [see @c; @d, chap. 3, emphasis added] D [-@e] and @f [p. 2] says.');
    expect(found.map((match) => ({ narrative: match.narrative, items: match.items }))).toEqual([
      { narrative: false, items: [{ key: 'a' }] },
      { narrative: false, items: [{ key: 'b', locator: '14', label: 'page' }] },
      { narrative: false, items: [{ key: 'c', prefix: 'see ' }, { key: 'd', locator: '3', label: 'chapter', suffix: ', emphasis added' }] },
      { narrative: false, items: [{ key: 'e', suppressAuthor: true }] },
      { narrative: true, items: [{ key: 'f', locator: '2', label: 'page' }] },
    ]);
  });

  it('takes keys with inner punctuation and braces, but not trailing punctuation', () => {
    expect(parseCitations('As @doe:2019. said, [@{Smith et al. 2020}].').flatMap((match) => match.items.map((item) => item.key))).toEqual(['doe:2019', 'Smith et al. 2020']);
  });

  it('reads page ranges and bare numbers as page locators', () => {
    expect(parseCitations('[@a, pp. 33-35] [@b 12]').map((match) => match.items[0])).toEqual([
      { key: 'a', locator: '33-35', label: 'page' },
      { key: 'b', locator: '12', label: 'page' },
    ]);
  });

  it('reads citations in Japanese text, where no space comes before or after them', () => {
    const known = new Set(['smith2020', '佐藤2022']);
    const found = parseCitations('貿易は@smith2020によれば拡大した。@佐藤2022も同じ。[参照@smith2020, p. 3]', new Set(), known);
    expect(found.map((match) => ({ key: match.items[0]!.key, prefix: match.items[0]!.prefix, narrative: match.narrative }))).toEqual([
      { key: 'smith2020', prefix: undefined, narrative: true },
      { key: '佐藤2022', prefix: undefined, narrative: true },
      { key: 'smith2020', prefix: '参照 ', narrative: false },
    ]);
  });

  it('reads adversarial text in linear time', async () => {
    // How CPU time grows with the text (8× the text: about 8× for linear work, 64× for quadratic), not a time limit.
    // Every "[@a" is a citation: long runs of them would measure the heap keeping thousands of
    // results (a CI run saw 4× the text cost 8.9×), so they come padded with a long key.
    const narrative = '[@a' + 'x'.repeat(100);
    const adversarial = (count: number) => {
      parseCitations('[{'.repeat(count));
      parseCitations('@{'.repeat(count));
      parseCitations(narrative.repeat(count / 25));
    };
    expect(await growth(adversarial, 12_500)).toBeLessThan(LINEAR_BOUND);
  });

  it('leaves e-mail addresses, escaped @ and cross-reference keys (fig-, tbl-, sec-) alone', () => {
    expect(parseCitations('mail jane@example.org, see @fig-gdp, [@tbl-trade] and [@sec-intro]')).toEqual([]);
    expect(parseCitations('@handle', new Set([0]))).toEqual([]);
  });
});

describe('citations in a note style (the default, Chicago notes-bibliography)', () => {
  it('turns each citation into a note, after the punctuation that follows it', async () => {
    const { html, notes, messages } = await cite('Trade grew [@smith2020, p. 14]. Alliances held [see @doe2019; @tanaka2018, 50].\n', { bibliography: 'refs.bib' });
    expect(messages).toEqual([]);
    expect(html).toContain('Trade grew.<sup><a href="#fn-cite-1"');
    expect(notes).toEqual(['Smith and Müller, “Trade and Alliances in East Asia,” 14.', 'See Doe, The Alliance Dilemma; Tanaka, “Economic Statecraft in Asia,” 50.']);
  });

  it('numbers citation notes together with the author’s footnotes, in order of appearance', async () => {
    const { html, notes } = await cite('First [@smith2020]. Second.[^own] Third [@doe2019].\n\n[^own]: My own note, which cites [@crs2021].\n', { bibliography: 'refs.bib' });
    const numbers = [...html.matchAll(/<a href="#fn-([^"]+)"[^>]*>(\d+)<\/a>/g)].map((match) => `${match[1]}=${match[2]}`);
    expect(numbers).toEqual(['cite-1=1', 'own=2', 'cite-3=3']);
    expect(notes[1]).toBe('My own note, which cites Congressional Research Service, “U.S.-Japan Relations.”');
  });

  it('prints a narrative @key as the author in the text, the rest in a note', async () => {
    const { text, notes } = await cite('As @smith2020 argue, trade matters.\n', { bibliography: 'refs.bib' });
    expect(text).toContain('As Smith and Müller1 argue');
    expect(notes).toEqual(['“Trade and Alliances in East Asia.”']);
  });

  it('prints [-@key] without the author', async () => {
    const { notes } = await cite('Smith and Müller showed it [-@smith2020, 3].\n', { bibliography: 'refs.bib' });
    expect(notes).toEqual(['“Trade and Alliances in East Asia,” 3.']);
  });

  it('formats each brief afresh: a work cited in an earlier brief is not "cited before" in the next', async () => {
    const earlier = await cite('A [@smith2020, 3]. B [@smith2020, 4].\n', { bibliography: 'refs.bib' });
    const next = await cite('C [@smith2020, 3].\n', { bibliography: 'refs.bib' });
    expect(earlier.notes[1]).not.toBe(earlier.notes[0]);
    expect(next.notes[0]).toBe(earlier.notes[0]);
  });

  it('keeps citation notes as Markdown footnotes: one endnotes list, linked both ways', async () => {
    const { html } = await cite('A claim [@smith2020].\n', { bibliography: 'refs.bib' });
    expect(html).toContain('<section data-footnotes="" class="footnotes endnotes"><h2 id="footnote-label">Notes</h2>');
    expect(html).toContain('<li id="fn-cite-1">');
    expect(html).toContain('href="#fnref-cite-1"');
  });
});

describe('citations in an in-text style', () => {
  it('prints APA citations where they stand, narrative ones as "Author (year)"', async () => {
    const { text, html, messages } = await cite('Trade grew [@smith2020, p. 14]. As @doe2019 shows, it held [see @crs2021; @tanaka2018].\n', { bibliography: 'refs.bib', csl: 'apa' });
    expect(messages).toEqual([]);
    expect(text).toContain('Trade grew (Smith &#x26; Müller, 2020, p. 14).');
    expect(text).toContain('As Doe (2019) shows, it held (see Congressional Research Service, 2021; Tanaka, 2018).');
    expect(html).not.toContain('data-footnotes');
    expect(html).toContain('<h2 id="references">References</h2>');
  });

  it('prints Chicago author-date citations', async () => {
    const { text } = await cite('Trade grew [@smith2020, 14].\n', { bibliography: 'refs.bib', csl: 'chicago-author-date' });
    expect(text).toContain('Trade grew (Smith and Müller 2020, 14).');
  });
});

describe('a style of the brief’s own', () => {
  it('formats with a .csl file beside the brief, and records it as an input', async () => {
    const { text, dependencies, messages } = await cite('A [@smith2020].\n', { bibliography: 'refs.bib', csl: 'house.csl' });
    expect(messages).toEqual([]);
    expect(text).toContain('A (Smith and Müller 2020).');
    expect(dependencies).toContain(join(FIXTURES, 'house.csl'));
  });

  it('reports a .csl file that is not well-formed XML at its own line', async () => {
    const { messages } = await cite('A [@smith2020].\n', { bibliography: 'refs.bib', csl: 'broken.csl' });
    expect(messages).toEqual([
      "broken.csl:5:1 error The citation style is not well-formed XML: Expected closing tag 'citation' (opened in line 4, col 3) instead of closing tag 'style'. Fix the .csl file, or use one of chicago-note-bibliography, chicago-author-date, apa. (citation-style)",
    ]);
  });
});

describe('the bibliography', () => {
  it('lists only the works cited, under a heading, with DOIs and URLs as links', async () => {
    const { html, entries } = await cite('A [@smith2020]. B [@crs2021].\n', { bibliography: 'refs.bib' });
    expect(html).toContain('<h2 id="bibliography">Bibliography</h2>');
    expect(entries).toEqual([
      'Congressional Research Service. “U.S.-Japan Relations.” Congressional Research Service, June 14, 2021. https://crsreports.congress.gov/product/pdf/RL/RL33436.',
      'Smith, Jane, and Hans Müller. “Trade and Alliances in East Asia.” Journal of Policy Studies 12, no. 3 (2020): 1–20. https://doi.org/10.1000/jps.2020.12.3.',
    ]);
    expect(html).toContain('<a href="https://doi.org/10.1000/jps.2020.12.3">https://doi.org/10.1000/jps.2020.12.3</a>');
    expect(html).toContain('<a href="https://crsreports.congress.gov/product/pdf/RL/RL33436">');
  });

  it('adds the works in nocite:, or every work for "@*"', async () => {
    const some = await cite('A [@smith2020].\n', { bibliography: 'refs.bib', nocite: ['unused2015'] });
    expect(some.entries.map((entry) => entry.split('.')[0])).toEqual(['Lee, Min', 'Smith, Jane, and Hans Müller']);
    const all = await cite('No citations.\n', { bibliography: 'refs.bib', nocite: '@*' });
    expect(all.entries).toHaveLength(5);
  });

  it('reads CSL-JSON and CSL-YAML, several files at once', async () => {
    const { entries, messages } = await cite('A [@kim2023]. B [@sato2022].\n', { bibliography: ['refs.json', 'refs.yaml'] });
    expect(messages).toEqual([]);
    expect(entries).toEqual(['Kim, Soo. “Supply Chains and Security.” Asia Policy, 2023. https://example.org/kim2023.', '佐藤花子. “日米同盟の将来.” 国際問題研究所, April 2022.']);
  });

  it('uses the style’s Japanese locale and the Japanese heading in a Japanese edition', async () => {
    const { html, notes } = await cite('日米関係は変化した[@smith2020, p. 3]。\n', { bibliography: 'refs.bib', lang: 'ja' });
    expect(html).toContain('<h2 id="参考文献">参考文献</h2>');
    expect(html).toContain('日米関係は変化した。<sup>');
    expect(notes).toEqual(['SmithとMüller, 「Trade and Alliances in East Asia」, 3.']);
  });

  it('records the bibliography files as inputs of the brief', async () => {
    const { dependencies } = await cite('A [@kim2023].\n', { bibliography: ['refs.json'] });
    expect(dependencies).toEqual([join(FIXTURES, 'refs.json')]);
  });
});

describe('what a citation leaves alone', () => {
  it('does not read citations in code, links or escaped @', async () => {
    const { html, messages } = await cite('`[@smith2020]` and [a link](https://example.org/@smith2020) and \\@smith2020.\n', { bibliography: 'refs.bib', nocite: '@*' });
    expect(messages).toEqual([]);
    expect(html).toContain('<code>[@smith2020]</code>');
    expect(html).toContain('and @smith2020.</p>');
  });

  it('leaves briefs without a bibliography as they were, warning about bracketed citations', async () => {
    const { html, messages } = await cite('Follow @embassy. See [@smith2020].\n', { lang: 'en' });
    expect(html).toContain('Follow @embassy. See [@smith2020].');
    expect(messages).toEqual([`${bodyLine(1)}:22 warning Citation "[@smith2020]" has no bibliography to come from: add "bibliography: refs.bib" to the front matter, or write \\[ to keep the bracket as text. (citation-key)`]);
  });
});

describe('problems, each at its place', () => {
  it('reports a key not in the bibliography at its line and column, with the closest keys', async () => {
    const { messages } = await cite('Fine [@smith2020].\nTrade grew [see @smith2021; @do2019].\n', { bibliography: 'refs.bib' });
    expect(messages).toEqual([
      `${bodyLine(1) + 1}:17 error Citation key "smith2021" is not in refs.bib. Did you mean "smith2020"? (citation-key)`,
      `${bodyLine(1) + 1}:29 error Citation key "do2019" is not in refs.bib. Did you mean "doe2019"? (citation-key)`,
    ]);
  });

  it('counts columns in the source, past escapes and character references', async () => {
    const { messages } = await cite('A \\* &amp; [@nope].\n', { bibliography: 'refs.bib' });
    expect(messages[0]).toMatch(new RegExp(`^${bodyLine(1)}:13 error Citation key "nope"`));
  });

  it('reports malformed BibTeX at the line of the .bib file', async () => {
    const { messages, html } = await cite('A [@ok2019].\n', { bibliography: 'broken.bib' });
    expect(messages).toEqual(['broken.bib:9:9 error The bibliography is not valid BibTeX: expected "=", got "{". Look for an unclosed brace or a missing "=" or "," near here. (bibliography)']);
    expect(html).not.toContain('<sup>');
  });

  it('reports a CSL-JSON work without an id at its line', async () => {
    const { messages } = await cite('A [@fine].\n', { bibliography: 'no-id.json' });
    expect(messages).toEqual(['no-id.json:3:3 error Work 2 of the bibliography has no "id": give each work an id, the key the brief cites it by. (bibliography)']);
  });

  it('reports a missing bibliography file and an unknown style at their front-matter lines', async () => {
    const missing = await cite('A [@x].\n', { bibliography: 'nowhere.bib' });
    expect(missing.messages).toEqual(['3:15 error Bibliography "nowhere.bib" not found (looked for tests/fixtures/citations/nowhere.bib). Put it beside the brief, or correct the path in "bibliography:". (bibliography)']);
    const nocite = await cite('A [@smith2020].\n', { bibliography: 'refs.bib', nocite: ['doe2019', 'smith202'] });
    expect(nocite.messages).toEqual(['4:20 error Key "smith202" in nocite: is not in the bibliography. Did you mean "smith2020"? (citation-key)']);
    const style = await cite('A [@smith2020].\n', { bibliography: 'refs.bib', csl: 'harvard' });
    expect(style.messages).toEqual(['4:6 error Citation style "harvard" is not bundled: use one of chicago-note-bibliography, chicago-author-date, apa, or the path of a .csl file beside the brief. (citation-style)']);
  });
});

describe('a cited brief, built', () => {
  let project: TempProject;
  beforeAll(async () => {
    project = await createProject({
      'source/cited.md': brief('## Trade\n\nTrade grew [@smith2020, p. 14]. As @doe2019 argues, alliances held.[^1]\n\n[^1]: See also [@crs2021].\n', { bibliography: 'refs.bib' }),
      'source/refs.bib': await import('node:fs/promises').then((fs) => fs.readFile(join(FIXTURES, 'refs.bib'), 'utf8')),
    });
  });
  afterAll(() => project?.remove());

  it('is valid HTML with no accessibility violations and no script, its note numbers raised by a fixed offset', async () => {
    const first = await project.run(['build', '--format', 'html']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const html = await project.read('output/cited.html');
    expect(html).toContain('<h2 id="bibliography">Bibliography</h2>');
    expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    // The Nu checker (Java) and axe (Chromium) at once: they share nothing.
    const inChromium = async () => {
      const page = await (await testBrowser()).newPage();
      try {
        await page.goto(pathToFileURL(join(project.root, 'output', 'cited.html')).href, { waitUntil: 'load' });
        // Note numbers are raised by an offset in em: with vertical-align: super, Chromium put them
        // 21/64 px higher or lower from one print of the same page to the next (README, "Reproducible").
        const raised = await page.$$eval('sup', (sups) => sups.map((sup) => `${getComputedStyle(sup).verticalAlign} ${getComputedStyle(sup).position} ${getComputedStyle(sup).top}`));
        return { raised, violations: await axeViolationsOn(page) };
      } finally {
        await page.close();
      }
    };
    const [nu, { raised, violations }] = await Promise.all([nuHtmlCheck([join(project.root, 'output', 'cited.html')]), inChromium()]);
    expect(nu).toEqual([]);
    expect(violations).toEqual([]);
    expect(raised.length).toBeGreaterThanOrEqual(3);
    for (const style of raised) expect(style).toMatch(/^baseline relative -\d+(\.\d+)?px$/);
  });

  it('rebuilds when refs.bib changes', async () => {
    // The handout the test above built, from the old refs.bib.
    expect(await project.read('output/cited.html')).toContain('The Alliance Dilemma');
    await project.write('source/refs.bib', (await project.read('source/refs.bib')).replace('The Alliance Dilemma', 'The Alliance Revisited'));
    const second = await project.run(['build', '--format', 'html']);
    expect(second.code).toBe(0);
    expect(await project.read('output/cited.html')).toContain('The Alliance Revisited');
  });

  it('knows a brief that failed on its bibliography depends on it, so fixing refs.bib rebuilds it (watch mode)', async () => {
    const bib = join(project.root, 'source', 'refs.bib');
    const good = await project.read('source/refs.bib');
    await project.write('source/refs.bib', good.replace('title   = {Trade', 'title   {Trade'));
    const settings = await resolveSettings({ inputs: [], formats: ['html'] }, { cwd: project.root, env: process.env });
    const session = await BuildSession.open(settings);
    try {
      const jobs = await findBriefs(settings);
      const failed = await session.build(jobs);
      expect(failed.results.map((result) => result.status)).toEqual(['failed']);
      expect(session.dependents(bib)).toEqual([join(project.root, 'source', 'cited.md')]);
      await project.write('source/refs.bib', good);
      const fixed = await session.build(jobs);
      expect(fixed.results.map((result) => result.status)).toEqual(['built']);
    } finally {
      await session.close();
    }
  });

  it('takes the house style from brief.config.yaml when the brief names none', async () => {
    // An in-text style other than the default (Chicago author-date: APA, as good a proof, takes
    // citeproc-js seconds to set up, which the unit tests above already spend).
    await project.write('brief.config.yaml', 'csl: chicago-author-date\n');
    const result = await project.run(['build', '--format', 'html']);
    expect(result.code).toBe(0);
    const html = await project.read('output/cited.html');
    expect(html).toContain('Trade grew <span class="citation">(Smith and Müller 2020, 14)</span>.');
    expect(html).toContain('<h2 id="references">References</h2>');
  });
});
