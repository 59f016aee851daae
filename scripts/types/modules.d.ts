// Packages that ship no type declarations: the parts of their API brief uses.

declare module 'subset-font' {
  function subsetFont(font: Buffer | Uint8Array, text: string, options?: { targetFormat?: 'sfnt' | 'truetype' | 'woff' | 'woff2'; preserveNameIds?: number[]; variationAxes?: Record<string, number> }): Promise<Buffer>;
  export default subsetFont;
}

declare module 'fontverter' {
  /** Converts a font between sfnt (TrueType/OpenType), WOFF and WOFF2. */
  export function convert(buffer: Buffer, toFormat: 'sfnt' | 'truetype' | 'woff' | 'woff2', fromFormat?: string): Promise<Buffer>;
}

declare module 'citeproc' {
  /** What the processor asks the host for: works by id, locale XML by language tag. */
  interface Sys {
    retrieveLocale(lang: string): string | undefined;
    retrieveItem(id: string): unknown;
  }
  interface CitationItem {
    id: string;
    locator?: string;
    label?: string;
    prefix?: string;
    suffix?: string;
    'suppress-author'?: boolean;
    'author-only'?: boolean;
  }
  interface Citation {
    citationID: string;
    citationItems: CitationItem[];
    properties: { noteIndex: number };
  }
  class Engine {
    constructor(sys: Sys, style: string, lang?: string, forceLang?: boolean);
    opt: { xclass: 'note' | 'in-text'; development_extensions: { wrap_url_and_doi: boolean } };
    rebuildProcessorState(citations: Citation[], mode?: 'html' | 'text', uncitedItemIDs?: string[]): [string, number, string][];
    restoreProcessorState(citations: Citation[]): void;
    updateItems(ids: string[]): void;
    updateUncitedItems(ids: string[]): void;
    makeBibliography(): [{ entry_ids: string[][]; bibstart: string; bibend: string }, string[]] | false;
  }
  const CSL: { Engine: typeof Engine; debug: (message: string) => void };
  export default CSL;
}

declare module '@citation-js/core' {
  /** citation-js's plugin registry: brief uses only its input chain (BibTeX text → CSL items). */
  export const plugins: {
    input: {
      chain(data: string, options: { forceType?: string; target?: string; maxChainLength?: number; strict?: boolean; generateGraph?: boolean }): unknown;
    };
  };
}

declare module '@citation-js/plugin-bibtex' {
  // Imported for its side effect: it registers the BibTeX/BibLaTeX reader with @citation-js/core.
}
