import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { createProject, type TempProject } from './helpers/project.ts';
import { pdfInfo, pdfText } from './helpers/pdf.ts';

/**
 * The second layout, templates/in-focus: a two-page, two-column brief with a masthead band,
 * sidebar boxes and notes of sources under figures, chosen with `template: in-focus`. The seed
 * brief is printed in it in both editions (and checked), beside a brief with a figure and a table.
 */
const run = promisify(execFile);
let project: TempProject;
let check: { code: number; stdout: string; stderr: string };

const explainer = `---
title: Semiconductor Supply Chains
organization: House Institute
template: in-focus
number: IF10199
date: 2024-05-01
authors:
  - { name: Emma Chanlett-Avery, title: Specialist in Asian Affairs }
summary: Japan and the United States coordinate export controls on chipmaking equipment.
key_points:
  - Japan supplies about a third of the world's chipmaking equipment.
---

## Background

${'Japan and the United States have long cooperated on technology policy, and both governments now treat semiconductors as a matter of national security. '.repeat(12)}

![A map of chip plants](map.png "Chip plants in Japan, 2023")

Source: Ministry of Economy, Trade and Industry, 2023.

:::sidebar[What export controls cover]
Equipment for lithography, etching and deposition below set technology thresholds.
:::

## Policy

${'Washington and Tokyo announced parallel controls in 2023; the measures differ in scope and in the licences they require. '.repeat(16)}

Table: Equipment exports by year

| Year | Exports | Change |
|-----:|--------:|-------:|
| 2021 | 3,410 | 12.1% |
| 2022 | 3,702 | 8.6% |
| 2023 | 3,518 | −5.0% |

Notes: Billions of yen.
`;

beforeAll(async () => {
  project = await createProject();
  for (const name of ['us-japan-relations.md', 'us-japan-relations.ja.md']) await project.write(`source/${name}`, await readFile(join(TOOL_ROOT, 'source', name)));
  await project.write('source/chips.md', explainer);
  await project.write('source/map.png', await readFile(join(TOOL_ROOT, 'tests', 'fixtures', 'map.png')));
  // The seed, unchanged, laid out by in-focus for every brief of the project.
  await project.write('brief.config.yaml', 'template: in-focus\n');
  check = await project.run(['check', '--format', 'json']);
});

afterAll(async () => {
  await project.remove();
});

const output = (name: string) => join(project.root, 'output', name);

/** Left edges (in points) of the text blocks on a page, as poppler lays them out. */
async function blockLefts(pdf: string, page: number): Promise<number[]> {
  const { stdout } = await run('pdftotext', ['-bbox-layout', '-f', String(page), '-l', String(page), pdf, '-']);
  // Below the masthead on page 1, below the top margin on later pages; above the footer.
  const top = page === 1 ? 200 : 40;
  return [...stdout.matchAll(/<block xMin="([\d.]+)" yMin="([\d.]+)"/g)].filter((match) => Number(match[2]) > top && Number(match[2]) < 730).map((match) => Number(match[1]));
}

describe('templates/in-focus', () => {
  it('prints the seed brief in both editions on two pages, and the check finds nothing', () => {
    expect(check.code, check.stdout).toBe(0);
    const report = JSON.parse(check.stdout) as { briefs: { source: string; pages: number; messages: unknown[] }[] };
    for (const brief of report.briefs) {
      expect(brief.messages, brief.source).toEqual([]);
      expect(brief.pages, brief.source).toBe(2);
    }
  });

  it('sets the text in two columns on every page', async () => {
    for (const name of ['us-japan-relations.pdf', 'us-japan-relations.ja.pdf', 'chips.pdf']) {
      for (let page = 1; page <= Number((await pdfInfo(output(name))).Pages); page++) {
        const lefts = await blockLefts(output(name), page);
        expect(lefts.some((x) => x < 120), `${name} page ${page}: left column`).toBe(true);
        expect(lefts.some((x) => x > 300), `${name} page ${page}: right column`).toBe(true);
      }
    }
  });

  it('opens with the masthead band: organization, series, number and date, then the title and byline', async () => {
    const page1 = await pdfText(output('chips.pdf'), 1);
    expect(page1).toMatch(/^IN FOCUS\s+House Institute\s+May 1, 2024\s+IF10199\s+Semiconductor Supply Chains\s+Emma Chanlett-Avery\s*, Specialist in Asian Affairs/);
  });

  it('keeps a figure\'s source note under it, and a table\'s under the table', async () => {
    const html = await project.read('output/chips.html');
    expect(html).toMatch(/<div class="with-source"><figure class="figure" id="figure-1">.*?<figcaption>.*?<\/figcaption><\/figure>\s*<p class="source-note">Source: Ministry of Economy, Trade and Industry, 2023\.<\/p><\/div>/s);
    expect(html).toMatch(/<\/table><\/div>\s*<p class="source-note">Notes: Billions of yen\.<\/p><\/div>/);
    const text = await pdfText(output('chips.pdf'));
    expect(text).toMatch(/Figure 1\. Chip plants in Japan, 2023\s+Source: Ministry of Economy, Trade and Industry, 2023\./);
  });

  it('sets the sidebar in a shaded box within a column', async () => {
    const html = await project.read('output/chips.html');
    expect(html).toContain('<aside class="sidebar"');
    expect(await pdfText(output('chips.pdf'))).toContain('What export controls cover');
  });

  it('prints the organization once a page, in the footer after page 1', async () => {
    const pdf = output('us-japan-relations.pdf');
    const { stdout } = await run('pdftotext', ['-f', '2', '-l', '2', '-x', '0', '-y', '740', '-W', '612', '-H', '52', pdf, '-']);
    expect(stdout).toContain('Embassy of the United States, Tokyo');
    const { stdout: top } = await run('pdftotext', ['-f', '2', '-l', '2', '-x', '0', '-y', '0', '-W', '612', '-H', '40', pdf, '-']);
    expect(top.trim()).toBe('');
  });
});
