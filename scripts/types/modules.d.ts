// Packages that ship no type declarations: the parts of their API brief uses.

declare module 'subset-font' {
  function subsetFont(font: Buffer | Uint8Array, text: string, options?: { targetFormat?: 'sfnt' | 'truetype' | 'woff' | 'woff2'; preserveNameIds?: number[]; variationAxes?: Record<string, number> }): Promise<Buffer>;
  export default subsetFont;
}

declare module 'fontverter' {
  /** Converts a font between sfnt (TrueType/OpenType), WOFF and WOFF2. */
  export function convert(buffer: Buffer, toFormat: 'sfnt' | 'truetype' | 'woff' | 'woff2', fromFormat?: string): Promise<Buffer>;
}
