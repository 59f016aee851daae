import type { Root } from 'hast';
import type { PDFDocument } from 'pdf-lib';
import type { Page } from 'puppeteer';
import type { VFile } from 'vfile';
import type { BodyPlaces } from './body-places.ts';
import type { BrowserPool } from './browser.ts';
import type { ResolvedFace } from './fonts.ts';

/** A brief just built, as the checks of `npm run check` see it. */
export interface BuiltBrief {
  file: VFile;
  browser: () => Promise<BrowserPool>;
  /**
   * The handout, with source marks, and the address it is served at (relative to the page
   * origin); `trusted` when its raw HTML was not sanitized (unsafe_html) and may run script.
   */
  handout: { url: string; html: string; trusted: boolean };
  /** The finished PDF. */
  pdf: PDFDocument;
  maxPages: { pages: number; fromBrief: boolean } | undefined;
  /** Every font face the template bundles. */
  faces: ResolvedFace[];
  /** The handout page, parsed, and its stylesheets: what characters it draws. */
  page: Root;
  stylesheets: string[];
  /** Where things of the page were written in the source (the body's tree, and the front matter). */
  places: BodyPlaces;
  /** Where font character maps are cached. */
  cacheDir: string;
}

/**
 * What `npm run check` adds to a build. commands/check.ts hands it in (settings.check); the build
 * calls it at two moments and never imports the checks, so checks consume the build's results and
 * never feed it.
 */
export interface BriefChecks {
  /**
   * Called on the page just printed, while it still shows the printed document (the layout can
   * only be measured then). Returns the examination to run once the brief's outputs are written.
   */
  afterPrint(page: Page, pdf: PDFDocument): Promise<(brief: BuiltBrief) => Promise<void>>;
}
