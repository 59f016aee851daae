import type { VFile } from 'vfile';
import type { BriefChecks, BuiltBrief } from '../pipeline/brief-checks.ts';
import { fontCoverage } from '../pipeline/font-coverage.ts';
import { auditHandout } from './audit-handout.ts';
import { checkPrint } from './check-print.ts';
import { charactersDrawn, missingGlyphs } from './glyphs.ts';
import { measureLayout, type LayoutMeasure } from './measure-layout.ts';
import { readPdf } from './read-pdf.ts';
import { readDestinations } from '../pipeline/read-destinations.ts';

/** A brief just built, with Chromium's layout of its printed document. */
export type MeasuredBrief = BuiltBrief & { layout: LayoutMeasure };

/**
 * The checks of `npm run check`, as the build takes them (settings.check): measure the layout on
 * the page just printed, then check the built brief.
 */
export const briefChecks: BriefChecks = {
  async afterPrint(page, pdf) {
    const layout = await measureLayout(page, pdf.getPage(0).getSize());
    return (brief) => checkBuilt(brief.file, { ...brief, layout });
  },
};

/**
 * The checks that need the built outputs: the layout and the PDF (page budget, overflow, breaks,
 * fonts, glyphs, tags) and axe-core on the handout. Their messages go on the brief's file.
 */
export async function checkBuilt(file: VFile, brief: MeasuredBrief): Promise<void> {
  const paths = [...new Set(brief.faces.map((face) => face.path))];
  const coverages = await Promise.all(paths.map((path) => fontCoverage(path, brief.cacheDir)));
  const missing = missingGlyphs(charactersDrawn(brief.page, brief.stylesheets), coverages);
  checkPrint(file, {
    facts: readPdf(brief.pdf),
    layout: brief.layout,
    maxPages: brief.maxPages,
    bundledFonts: new Set(coverages.map((coverage) => coverage.postscriptName)),
    missing,
    places: brief.places,
    links: readDestinations(brief.pdf),
  });
  await auditHandout(file, await brief.browser(), brief.handout);
  dropEchoes(file);
}

/**
 * The handout's and the PDF's view of a problem the content rules already reported at the same
 * line (a skipped heading level is also axe's heading-order and the PDF's heading order): one
 * message, the one whose fix is plain, is enough.
 */
const ECHOES: { rule: string; prefix?: string; echoOf: string }[] = [
  { rule: 'pdf-heading-order', echoOf: 'heading-skip' },
  { rule: 'axe', prefix: 'axe heading-order', echoOf: 'heading-skip' },
  { rule: 'axe', prefix: 'axe image-alt', echoOf: 'image-alt' },
  { rule: 'axe', prefix: 'axe duplicate-id', echoOf: 'duplicate-id' },
];

function dropEchoes(file: VFile): void {
  const reported = new Set(file.messages.map((message) => `${message.ruleId}@${message.line}`));
  file.messages = file.messages.filter(
    (message) => !ECHOES.some((echo) => echo.rule === message.ruleId && (!echo.prefix || message.reason.startsWith(echo.prefix)) && reported.has(`${echo.echoOf}@${message.line}`)),
  );
}
