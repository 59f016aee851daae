import type { DrawnFigure } from './plugins/remark-charts.ts';
import type { BriefMatter } from './schema.ts';
import type { PositionedYaml } from './yaml.ts';

/** A heading of the brief's body, in document order: the TOC, the outline check and the tests read these. */
export interface Heading {
  id: string;
  depth: number;
  text: string;
  /** Where it is in the source. */
  line?: number;
  column?: number;
}

/** Words the template prints, in the brief's language (templates/<name>/labels.yaml). */
export type Labels = Readonly<Record<string, string>>;

/** What a cross-reference can point at: a numbered figure, table or section, by its id. */
export interface Numbered {
  kind: 'fig' | 'tbl' | 'sec';
  /** "2", or "3.1" for a subsection. */
  number: string;
}

/** A `@fig-…`/`@tbl-…`/`@sec-…` reference or a `{#…}` label, with where it is written. */
export interface CrossrefMark {
  label: string;
  line: number;
  column: number;
}

/** Per-brief facts the stages find and hand on; the one place their types are declared. */
declare module 'vfile' {
  interface DataMap {
    /** Size of the source file in bytes. */
    bytes: number;
    /** SHA-256 of the source bytes as read: what the outputs were built from. */
    sourceHash: string;
    /** Lines taken by the front matter block, fences included (or by Pandoc's title block). */
    frontMatterLines: number;
    /** The front matter as parsed, with the place of each key and value in the source. */
    frontMatter: PositionedYaml;
    /** The brief has no title of its own: the Markdown stage takes its first level-1 heading. */
    titleFromHeading: boolean;
    /** The title the Markdown stage took from the first level-1 heading, with its place. */
    headingTitle: { text: string; line: number; column: number };
    /** Validated front matter. */
    matter: BriefMatter;
    /** The template's labels in the brief's language. */
    labels: Labels;
    /** Raw HTML is trusted (unsafe_html): skip sanitizing. */
    trustHtml: boolean;
    /** Hosts remote images may be fetched from (allow_remote). */
    allowRemote: string[];
    /** Body headings in order, with their ids. */
    headings: Heading[];
    /** Key points written as a :::key-points block, as sanitized HTML. */
    keyPointsHtml: string;
    /** Files besides the source that the output depends on (images), absolute paths. */
    dependencies: string[];
    /** Files whose existence the output depends on (briefs linked to), absolute paths. */
    probes: string[];
    /** The template's chart theme, a Vega-Lite config (templates/<name>/chart-theme.json). */
    chartTheme: Record<string, unknown>;
    /** Charts drawn by remark-charts, for rehype-charts to place. */
    charts: DrawnFigure[];
    /** Numbered figures, tables and sections by id (rehype-figures, rehype-tables, rehype-crossrefs). */
    numbered: Record<string, Numbered>;
    /** References found by remark-crossrefs, by the source offset of their link. */
    crossrefs: globalThis.Map<number, CrossrefMark>;
    /** Image sizes read by remark-image-size (CSS), by the source offset of their image. */
    imageSizes: globalThis.Map<number, string>;
  }
}

declare module 'hast' {
  interface Data {
    /** A figure made by rehype-charts: its caption, for rehype-figures to number and write. */
    caption?: string;
    /** The figure is numbered (it has a caption or a label). */
    numbered?: boolean;
  }
}
