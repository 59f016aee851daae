/** An image taken out of an imported document, to be written beside the brief. */
export interface ImportedImage {
  /** File name beside the brief, as the Markdown links it. */
  name: string;
  bytes: Buffer;
}

/** What a reader (Word document, web page) hands the Markdown writer: HTML and what it knows. */
export interface ImportedDocument {
  /** The article as HTML; images point at their names in `images`. */
  html: string;
  images: ImportedImage[];
  /** From the document's properties; the first heading fills in for a missing title. */
  properties: { title?: string; author?: string; date?: string; lang?: string };
  /** Column alignment of each table, in document order, when the HTML does not carry it. */
  tableAlign?: ('left' | 'right' | 'center' | null)[][];
}
