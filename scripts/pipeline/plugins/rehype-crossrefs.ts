import type { Element, Root } from 'hast';
import { headingRank } from 'hast-util-heading-rank';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import type { Numbered } from '../file-data.ts';
import { report } from '../messages.ts';
import { closest } from '../validate.ts';

/** What a reference prints for each kind, when the template's labels do not say. */
const DEFAULTS: Record<Numbered['kind'], string> = { fig: 'Figure {n}', tbl: 'Table {n}', sec: 'Section {n}' };
const LABEL_KEYS: Record<Numbered['kind'], string> = { fig: 'figure_ref', tbl: 'table_ref', sec: 'section_ref' };

/**
 * Quarto's cross-references, second half (the HTML tree): numbers the body's sections
 * (`## …` is 1, 2…; `### …` under it 2.1…), then writes each reference link remark-crossrefs made
 * as "Figure 2", "Table 1", "Section 3" (図2, 表1, 3節: the template's labels), from the numbers
 * rehype-figures and rehype-tables gave in the final order. A reference to a label that numbers
 * nothing is an error at the reference, with the closest label suggested.
 */
export default function rehypeCrossrefs() {
  return (tree: Root, file: VFile) => {
    const references = file.data.crossrefs;
    const numbered = (file.data.numbered ??= {});
    numberSections(tree, numbered);
    if (!references || references.size === 0) return;
    visit(tree, 'element', (node) => {
      const offset = node.position?.start.offset;
      if (node.tagName !== 'a' || offset === undefined) return;
      const reference = references.get(offset);
      if (!reference) return;
      const target = numbered[reference.label];
      if (!target) {
        const kind = reference.label.split('-')[0];
        const known = Object.keys(numbered).filter((label) => label.startsWith(`${kind}-`));
        const near = closest(reference.label, known);
        const hint = near ? ` Did you mean "@${near}"?` : known.length > 0 ? ` Labels: ${known.map((label) => `@${label}`).join(', ')}.` : '';
        report(file, 'error', `Reference "@${reference.label}" points at no labelled ${describe(kind)}.${hint}`, 'crossref-unknown', { line: reference.line, column: reference.column });
        return;
      }
      const pattern = file.data.labels?.[LABEL_KEYS[target.kind]] ?? DEFAULTS[target.kind];
      node.properties = { href: `#${reference.label}`, className: ['crossref'] };
      node.children = [{ type: 'text', value: pattern.replace('{n}', target.number) }];
    });
  };
}

function describe(kind: string | undefined): string {
  return kind === 'fig' ? 'figure (label images and charts with {#fig-name})' : kind === 'tbl' ? 'table (end its caption with {#tbl-name})' : 'section (end its heading with {#sec-name})';
}

/** Numbers the body's headings, level 2 down, and records those with a `sec-` id. */
function numberSections(tree: Root, numbered: Record<string, Numbered>): void {
  const counters: number[] = [];
  for (const node of tree.children) {
    if (node.type !== 'element') continue;
    const rank = headingRank(node as Element);
    if (rank === undefined || rank < 2) continue;
    const depth = rank - 2;
    counters.length = depth + 1;
    for (let level = 0; level < depth; level++) counters[level] ??= 0;
    counters[depth] = (counters[depth] ?? 0) + 1;
    const id = node.properties.id;
    if (typeof id === 'string' && id.startsWith('sec-')) numbered[id] = { kind: 'sec', number: counters.map((count) => count ?? 0).join('.') };
  }
}
