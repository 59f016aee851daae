import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { citation } from '../scripts/pipeline/view.ts';

const labels = parse(readFileSync(join(TOOL_ROOT, 'templates', 'policy-brief', 'labels.yaml'), 'utf8')) as Record<string, { citation_pattern: string }>;
const seed = { authors: '', organization: 'Embassy of the United States, Tokyo', title: 'U.S.-Japan Relations', series: 'Policy Brief', date: 'September 2009', url: '' };
const seedJa = { authors: '', organization: '在日米国大使館', title: '日米関係', series: '政策ブリーフ', date: '2009年9月', url: '' };

describe('the suggested citation', () => {
  it('reads as a citation in English, with or without an address', () => {
    expect(citation(labels.en!.citation_pattern, seed)).toBe('“U.S.-Japan Relations,” Policy Brief, Embassy of the United States, Tokyo, September 2009.');
    expect(citation(labels.en!.citation_pattern, { ...seed, url: 'https://example.org/b.html' })).toBe('“U.S.-Japan Relations,” Policy Brief, Embassy of the United States, Tokyo, September 2009, https://example.org/b.html.');
  });

  it('reads as a citation in Japanese, written without spaces', () => {
    expect(citation(labels.ja!.citation_pattern, seedJa)).toBe('「日米関係」政策ブリーフ、在日米国大使館、2009年9月。');
    expect(citation(labels.ja!.citation_pattern, { ...seedJa, date: '' })).toBe('「日米関係」政策ブリーフ、在日米国大使館');
  });

  it('leaves no stray punctuation where a part is missing', () => {
    expect(citation(labels.en!.citation_pattern, { ...seed, date: '' })).toBe('“U.S.-Japan Relations,” Policy Brief, Embassy of the United States, Tokyo.');
    expect(citation(labels.en!.citation_pattern, { ...seed, series: '' })).toBe('“U.S.-Japan Relations,” Embassy of the United States, Tokyo, September 2009.');
  });

  it('prints a value as written, even one that looks like a placeholder', () => {
    expect(citation('{title} ({date})', { title: 'On {date}', date: '2024' })).toBe('On {date} (2024)');
  });
});
