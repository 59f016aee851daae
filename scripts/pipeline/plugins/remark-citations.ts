import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FootnoteDefinition, FootnoteReference, Nodes, Parent, PhrasingContent, Root, Text } from 'mdast';
import { VFile } from 'vfile';
import { location } from 'vfile-location';
import { toString as mdastToString } from 'mdast-util-to-string';
import { readBibliography } from '../bibliography.ts';
import { cslToMdast } from '../csl-to-mdast.ts';
import { DEFAULT_STYLE, citeprocReason, createCiteProcessor, loadStyle, type ClusterInput, type EngineCache } from '../cite-processor.ts';
import type { Point } from 'unist';
import { hasErrors, report } from '../messages.ts';
import { parseYaml, type PositionedYaml } from '../yaml.ts';
import { parseCitations, type CitationMatch } from '../parse-citations.ts';
import { editDistance } from '../validate.ts';

export interface RemarkCitationsOptions {
  /** Folders bibliographies and styles may be read from (real paths). */
  allowedRoots: string[];
  /** Largest bibliography or style file read, in bytes. */
  maxBytes: number;
  /** Folder of the bundled CSL styles and locales. */
  cslDir: string;
}


/** Nodes whose text is never read for citations: code, links, raw HTML, definitions. */
const OPAQUE = new Set(['code', 'inlineCode', 'link', 'linkReference', 'definition', 'html', 'yaml', 'image', 'imageReference', 'math', 'inlineMath']);

/** A text node with citations in it, and where each citation starts and each key sits. */
interface FoundText {
  parent: Parent;
  node: Text;
  matches: { match: CitationMatch; start: Point; end: Point; keys: Point[] }[];
}

/** A citation or a Markdown footnote reference, in document order, for numbering notes. */
type NoteEvent = { reference: string } | { text: FoundText; index: number; definition: string | null };

/**
 * Pandoc-style citations (`[@key, p. 14]`, `[see @a; @b]`, `[-@key]`, narrative `@key`) become
 * formatted citations in the brief's CSL style, from the files in `bibliography:`. With a note
 * style (the default, Chicago notes-bibliography) each citation in the text becomes a Markdown
 * footnote, numbered together with the author's own; one inside a note prints in that note. With
 * an in-text style it prints where it stands. The works cited (and `nocite:` ones) end the brief
 * as its bibliography. Briefs without `bibliography:` are left as they are.
 */
export default function remarkCitations(options: RemarkCitationsOptions) {
  // Bundled styles and locales, read once per processor, and the CSL engines set up so far.
  const engines: EngineCache = new Map();
  const bundled = new Map<string, string>();
  const locales = (tag: string): string | undefined => {
    const path = join(options.cslDir, `locales-${tag}.xml`);
    if (!bundled.has(path)) {
      try {
        bundled.set(path, readFileSync(path, 'utf8'));
      } catch {
        return undefined;
      }
    }
    return bundled.get(path);
  };

  return async (tree: Root, file: VFile) => {
    const matter = file.data.matter;
    if (!matter?.bibliography) {
      const { texts } = findCitations(tree, file);
      for (const text of texts) {
        for (const { match, start } of text.matches) {
          if (!match.narrative) report(file, 'warning', `Citation "${text.node.value.slice(match.start, match.end)}" has no bibliography to come from: add "bibliography: refs.bib" to the front matter, or write \\[ to keep the bracket as text.`, 'citation-key', start);
        }
      }
      return;
    }
    // Where the fields are, for messages about them (the worker has the tree, not the main thread's parse).
    const fields = frontMatterOf(tree);
    const sources = typeof matter.bibliography === 'string' ? [matter.bibliography] : matter.bibliography;
    const [bibliography, style] = await Promise.all([
      readBibliography(file, sources.map((path, index) => ({ path, place: fields?.find(typeof matter.bibliography === 'string' ? ['bibliography'] : ['bibliography', index]) })), options),
      loadStyle(file, matter.csl, fields?.find(['csl']), options, bundled),
    ]);
    if (!bibliography || !style) return;

    const keys = [...bibliography.items.keys()];
    const { texts, events } = findCitations(tree, file, new Set(keys));
    for (const text of texts) {
      for (const { match, keys: places } of text.matches) {
        match.items.forEach((item, index) => {
          if (bibliography.items.has(item.key)) return;
          report(file, 'error', `Citation key "${item.key}" is not in ${sources.map((source) => basename(source)).join(' or ')}.${suggest(item.key, keys)}${match.narrative ? ' To write an @ that is not a citation, type \\@.' : ''}`, 'citation-key', places[index]);
        });
      }
    }
    const uncited = nocited(file, matter.nocite, keys, fields);
    if (hasErrors(file)) return;
    if (texts.length === 0 && uncited.length === 0) {
      report(file, 'warning', 'The brief has a bibliography but cites nothing from it, so none is printed: cite works with [@key], or list them in "nocite:".', 'citation-key', fields?.locateKey(['bibliography']));
      return;
    }

    let processor: Awaited<ReturnType<typeof createCiteProcessor>>;
    try {
      processor = await createCiteProcessor(style, locales, matter.lang, bibliography.items, engines);
    } catch (error) {
      report(file, 'error', `Citation style "${matter.csl ?? DEFAULT_STYLE}" could not be used: ${citeprocReason(error)}. Check that it is a CSL 1.0 style.`, 'citation-style', fields?.find(['csl']));
      return;
    }

    const { clusters, plans, noteOrder, numbers } = planCitations(events, processor.note);

    let formatted: ReturnType<typeof processor.format>;
    try {
      // citeproc-js wants citations in note order: those inside a note go with that note's number.
      const order = clusters.map((_, index) => index).sort((a, b) => noteOrder[a]! - noteOrder[b]! || a - b);
      const sorted = processor.format(order.map((index) => clusters[index]!), uncited);
      formatted = { ...sorted, citations: [] };
      order.forEach((index, position) => (formatted.citations[index] = sorted.citations[position]!));
    } catch (error) {
      report(file, 'error', `The citations could not be formatted: ${citeprocReason(error)}.`, 'citation-style', plans[0]?.text.matches[plans[0].index]?.start);
      return;
    }

    // Replace each citation's text by its formatted form (or a note reference), text node by text node.
    const identifiers = new Set(numbers.keys());
    const definitions: FootnoteDefinition[] = [];
    const replacements = new Map<Text, Replacement[]>();
    for (const plan of plans) {
      const found = plan.text.matches[plan.index]!;
      const position = { start: found.start, end: found.end };
      const html = plan.clusters.map((index) => formatted.citations[index] ?? '');
      const nodes: PhrasingContent[] = [];
      let note = false;
      if (plan.note !== null) {
        if (found.match.narrative) nodes.push(citationNode(html[0]!, position));
        let identifier = `cite-${plan.note}`;
        while (identifiers.has(identifier)) identifier = `${identifier}-`;
        identifiers.add(identifier);
        const reference: FootnoteReference = { type: 'footnoteReference', identifier, label: identifier, position };
        nodes.push(reference);
        definitions.push({ type: 'footnoteDefinition', identifier, label: identifier, position, children: [{ type: 'paragraph', children: capitalize(cslToMdast(html.at(-1)!)), position }] });
        note = !found.match.narrative;
      } else if (html.length === 2) {
        nodes.push(citationNode(html[0]!, position), { type: 'text', value: ' ' }, citationNode(html[1]!, position));
      } else {
        nodes.push(citationNode(html[0]!, position));
      }
      const list = replacements.get(plan.text.node) ?? [];
      list.push({ start: found.match.start, end: found.match.end, nodes, note, period: /\.[”’"'»」』)]*$/.test(mdastToString({ type: 'paragraph', children: nodes })) });
      replacements.set(plan.text.node, list);
    }
    for (const text of texts) {
      const list = replacements.get(text.node);
      if (list) text.parent.children.splice(text.parent.children.indexOf(text.node as never), 1, ...(splice(text.node.value, list) as never[]));
    }

    if (formatted.bibliography.length > 0) {
      const label = file.data.labels?.[processor.note ? 'bibliography' : 'references'] ?? (processor.note ? 'Bibliography' : 'References');
      tree.children.push(
        { type: 'heading', depth: 2, children: [{ type: 'text', value: label }] },
        {
          type: 'list',
          ordered: false,
          spread: false,
          data: { hProperties: { className: ['bibliography'] } },
          children: formatted.bibliography.map((entry) => ({ type: 'listItem', spread: false, children: [{ type: 'paragraph', children: cslToMdast(entry.html) }] })),
        },
      );
    }
    tree.children.push(...definitions);
  };
}

/** How one citation in the text is printed: its note number (note styles), and its clusters for the processor. */
interface Plan {
  text: FoundText;
  index: number;
  note: number | null;
  clusters: number[];
}

/**
 * Decides, in document order, what the processor formats for each citation. Notes are numbered
 * in the order they are referred to, the author's and the citations' together. With a note
 * style, a citation in the text gets the next number (a narrative one also prints its author in
 * the text); a citation inside a note prints there. `noteOrder` is where each cluster falls
 * among the notes (its note, or the last one before it), the order citeproc-js wants them in.
 */
function planCitations(events: NoteEvent[], noteStyle: boolean): { clusters: ClusterInput[]; plans: Plan[]; noteOrder: number[]; numbers: Map<string, number> } {
  const numbers = new Map<string, number>();
  let notes = 0;
  const clusters: ClusterInput[] = [];
  const plans: Plan[] = [];
  const inNotes: { definition: string; cluster: number }[] = [];
  const noteOrder: number[] = [];
  const add = (cluster: ClusterInput) => clusters.push(cluster) - 1;
  for (const event of events) {
    if ('reference' in event) {
      if (!numbers.has(event.reference)) numbers.set(event.reference, ++notes);
      continue;
    }
    const { match } = event.text.matches[event.index]!;
    const plan: Plan = { text: event.text, index: event.index, note: null, clusters: [] };
    if (event.definition !== null) {
      plan.clusters.push(add({ items: match.items, noteIndex: 0 }));
      inNotes.push({ definition: event.definition, cluster: plan.clusters[0]! });
    } else if (noteStyle) {
      plan.note = ++notes;
      if (match.narrative) plan.clusters.push(add({ items: match.items, noteIndex: 0, mode: 'author-only' }));
      plan.clusters.push(add({ items: match.items, noteIndex: plan.note, mode: match.narrative ? 'suppress-author' : undefined }));
    } else if (match.narrative) {
      plan.clusters.push(add({ items: match.items, noteIndex: 0, mode: 'author-only' }), add({ items: match.items, noteIndex: 0, mode: 'suppress-author' }));
    } else {
      plan.clusters.push(add({ items: match.items, noteIndex: 0 }));
    }
    while (noteOrder.length < clusters.length) noteOrder.push(notes);
    plans.push(plan);
  }
  // A citation inside a note belongs to that note's number, known once all references are counted.
  for (const { definition, cluster } of inNotes) {
    clusters[cluster]!.noteIndex = noteStyle ? numbers.get(definition) ?? 0 : 0;
    noteOrder[cluster] = numbers.get(definition) ?? notes;
  }
  return { clusters, plans, noteOrder, numbers };
}

/** A citation's place in a text node's value and the nodes that replace it. */
interface Replacement {
  start: number;
  end: number;
  nodes: PhrasingContent[];
  /** A note reference standing for the whole citation (not a narrative one). */
  note: boolean;
  /** The formatted citation ends with a full stop (perhaps inside quotes). */
  period: boolean;
}

/** Punctuation a note number goes after, as in Chicago and Pandoc: "a claim.¹", never "a claim¹.". */
const NOTE_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', '。', '、', '！', '？']);

/**
 * A text node's value with its citations replaced. A note's number moves after the punctuation
 * that follows it and takes no space before it; a citation that ends in a full stop swallows the
 * author's full stop after it.
 */
function splice(value: string, list: Replacement[]): PhrasingContent[] {
  const parts: PhrasingContent[] = [];
  let cursor = 0;
  for (const { start, end, nodes, note, period } of list) {
    let before = value.slice(cursor, start);
    let after = end;
    if (note) {
      before = before.replace(/[ \t]+$/, '');
      if (NOTE_PUNCTUATION.has(value[end] ?? '')) {
        before += value[end];
        after = end + 1;
      }
    } else if (period && value[end] === '.') {
      after = end + 1;
    }
    if (before) parts.push({ type: 'text', value: before });
    parts.push(...nodes);
    cursor = after;
  }
  if (cursor < value.length) parts.push({ type: 'text', value: value.slice(cursor) });
  return parts;
}

/**
 * Finds the citations in the tree's text, in document order, with the positions of their starts
 * and keys in the source, and the Markdown footnote references among them (for numbering).
 * `known`: the bibliography's keys, where a key ends when Japanese text runs on after it.
 */
function findCitations(tree: Root, file: VFile, known?: ReadonlySet<string>): { texts: FoundText[]; events: NoteEvent[] } {
  const texts: FoundText[] = [];
  const events: NoteEvent[] = [];
  const source = String(file.value);
  const place = location(file);
  const visitText = (node: Text, parent: Parent, offsets: number[], escaped: Set<number>, definition: string | null) => {
    const matches = parseCitations(node.value, escaped, known);
    if (matches.length === 0) return;
    // Points with offsets: generated nodes carry them, and rehype-raw needs offsets on positions.
    const toPoint = (index: number): Point => place.toPoint(offsets[Math.min(index, offsets.length - 1)]!) ?? parent.position!.start;
    const found: FoundText = {
      parent,
      node,
      matches: matches.map((match) => ({ match, start: toPoint(match.start), end: toPoint(match.end), keys: match.keyOffsets.map(toPoint) })),
    };
    texts.push(found);
    found.matches.forEach((_, index) => events.push({ text: found, index, definition }));
  };
  const walk = (node: Nodes, definition: string | null) => {
    if (OPAQUE.has(node.type) || !('children' in node)) return;
    const inner = node.type === 'footnoteDefinition' ? node.identifier : definition;
    const children = [...node.children] as Nodes[];
    // Text that plugins split off (GFM's autolinks) has no position: it is placed after the
    // sibling before it, by aligning its text with the source from there.
    let cursor = node.position?.start.offset ?? 0;
    children.forEach((child, index) => {
      const next = children.slice(index + 1).find((sibling) => sibling.position?.start.offset !== undefined);
      const limit = next?.position?.start.offset ?? node.position?.end.offset ?? source.length;
      const start = child.position?.start.offset ?? cursor;
      const end = child.position?.end.offset ?? limit;
      if (child.type === 'footnoteReference' && inner === null) events.push({ reference: child.identifier });
      if (child.type === 'text' || child.position?.end.offset === undefined) {
        const value = child.type === 'text' ? child.value : mdastToString(child);
        const { offsets, escaped } = alignOffsets(value, source.slice(start, end), start);
        if (child.type === 'text' && value.includes('@')) visitText(child, node, offsets, escaped, inner);
        cursor = child.position?.end.offset ?? offsets[value.length]!;
      } else {
        cursor = end;
      }
      if (child.type !== 'text') walk(child, inner);
    });
  };
  walk(tree, null);
  return { texts, events };
}

/**
 * Maps each character of a text node's value to its offset in the source (one past the end
 * included), and marks the characters written with a backslash escape. The value differs from
 * the source by escapes, character references and the indentation of continuation lines.
 */
function alignOffsets(value: string, source: string, base: number): { offsets: number[]; escaped: Set<number> } {
  const offsets: number[] = [];
  const escaped = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < value.length && j < source.length) {
    const char = value[i]!;
    if (source[j] === char) {
      offsets[i++] = base + j++;
    } else if (source[j] === '\\' && source[j + 1] === char) {
      escaped.add(i);
      offsets[i++] = base + j + 1;
      j += 2;
    } else if (source[j] === '&' && source.indexOf(';', j) !== -1 && source.indexOf(';', j) - j <= 32) {
      // A character reference stands for one character of the value, or two.
      const after = source.indexOf(';', j) + 1;
      offsets[i++] = base + j;
      if (i < value.length && source[after] !== value[i]) offsets[i++] = base + j;
      j = after;
    } else {
      j++;
    }
  }
  while (i <= value.length) offsets[i++] = base + Math.min(j, source.length);
  return { offsets, escaped };
}

/**
 * The brief's front matter with the place of each field, read from the tree's YAML node (its
 * problems were reported when the brief was read, so they are not reported again here).
 */
function frontMatterOf(tree: Root): PositionedYaml | undefined {
  const node = tree.children[0];
  if (node?.type !== 'yaml' || !node.position) return undefined;
  return parseYaml(new VFile(), node.value, { firstLine: node.position.start.line + 1, rule: 'front-matter-yaml', maxAliasCount: 100 });
}

/** "Did you mean…": the bibliography's keys nearest to an unknown one. */
function suggest(key: string, keys: string[]): string {
  const near = keys
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => `"${candidate}"`);
  if (near.length > 0) return ` Did you mean ${near.join(' or ')}?`;
  return keys.length > 0 ? ` Its keys are: ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}.` : '';
}

/** The keys `nocite:` lists ("@*" or "*" for every work); unknown ones are errors at the front matter. */
function nocited(file: VFile, nocite: string | string[] | undefined, keys: string[], fields: PositionedYaml | undefined): string[] {
  if (!nocite) return [];
  const wanted = (Array.isArray(nocite) ? nocite : [nocite]).flatMap((entry) => entry.split(/[\s,;]+/)).map((entry) => entry.replace(/^@/, '')).filter(Boolean);
  if (wanted.includes('*')) return keys;
  for (const key of wanted) {
    if (!keys.includes(key)) report(file, 'error', `Key "${key}" in nocite: is not in the bibliography.${suggest(key, keys)}`, 'citation-key', fields?.findText(key) ?? fields?.find(['nocite']));
  }
  return wanted.filter((key) => keys.includes(key));
}

/** The formatted citation as a span of phrasing nodes. */
function citationNode(html: string, position: { start: Point; end: Point }): PhrasingContent {
  return { type: 'citation', children: cslToMdast(html), position, data: { hName: 'span', hProperties: { className: ['citation'] } } };
}

/** A note begins with a capital, as a sentence does ("See Smith…" from [see @smith]). */
function capitalize(nodes: PhrasingContent[]): PhrasingContent[] {
  const first = nodes[0];
  if (first?.type === 'text') first.value = first.value.charAt(0).toLocaleUpperCase() + first.value.slice(1);
  return nodes;
}
