import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BrowserPool, DEFAULT_TIMEOUT_MS } from '../scripts/pipeline/browser.ts';
import { resolveChrome } from '../scripts/setup/chrome.ts';

const FONTS = '@font-face { font-family: "Kept"; src: local("DejaVu Sans"); }';
/** A document of some weight: 400 paragraphs, each its own nodes. */
const documentNumber = (number: number) =>
  `<!doctype html><html lang="en"><head><style>${FONTS}</style><title>Brief ${number}</title></head><body>${'<p>The alliance anchors the region. <em>Trade</em> and <strong>security</strong>.</p>'.repeat(400)}</body></html>`;

describe('a page that prints brief after brief (a batch, watch mode)', () => {
  // (Its own Chrome (workDir): a page fresh from launch, its jobs counted from the first.)
  it('keeps no swapped-out document alive in its renderer past every fifth job', async () => {
    const chrome = await resolveChrome({ env: process.env, install: false });
    const pool = await BrowserPool.launch({ executablePath: chrome.executablePath, maxPages: 1, timeoutMs: DEFAULT_TIMEOUT_MS, workDir: tmpdir() });
    try {
      const counts: number[] = [];
      let first: unknown;
      for (let job = 1; job <= 15; job++) {
        await pool.withPage(async ({ page, origin, load }) => {
          first ??= page;
          // The same page all along: documents are swapped in place, not navigated to.
          expect(page).toBe(first);
          await load(`${origin}brief-${job}.html`, documentNumber(job), FONTS);
          const session = await page.createCDPSession();
          counts.push((await session.send('Memory.getDOMCounters')).nodes);
          await session.detach();
        });
      }
      // Swapped-out documents stay alive until the renderer collects them. The pool collects
      // after every fifth job, so the job after it (the 6th, the 11th) sees at most two
      // documents (the one shown and the one just replaced) and no job sees more than six.
      // Without the pool's collections, the count grows by one document a job whenever V8 does
      // not happen to collect on its own (fifteen by the fifteenth job; V8's own collections
      // come at its whim, so they are not what this asserts).
      const oneDocument = counts[0]!;
      expect(counts).toHaveLength(15);
      expect(counts[5]!).toBeLessThanOrEqual(oneDocument * 2 * 1.05);
      expect(counts[10]!).toBeLessThanOrEqual(oneDocument * 2 * 1.05);
      expect(Math.max(...counts)).toBeLessThanOrEqual(oneDocument * 6 * 1.05);
    } finally {
      await pool.close();
    }
  });
});

describe('pages that run a script (npm run check runs axe-core) beside pages that print', () => {
  const SCRIPT = 'window.scriptRuns = (window.scriptRuns ?? 0) + 1;';
  const OTHER_SCRIPT = 'window.otherRuns = 1;';
  /** A document whose own script, if it ran, would retitle it. */
  const withScript = (title: string) => `<!doctype html><html lang="en"><head><style>${FONTS}</style><title>${title}</title></head><body><p>${title}</p><script>document.title = 'script ran';</script></body></html>`;

  it('keeps each kind on pages of its own: prints swap in place, the script runs once a page, documents are written into it', async () => {
    const chrome = await resolveChrome({ env: process.env, install: false });
    const pool = await BrowserPool.launch({ executablePath: chrome.executablePath, maxPages: 1, timeoutMs: DEFAULT_TIMEOUT_MS, workDir: tmpdir() });
    try {
      const seen: { kind: string; title: string; kept: unknown; runs: unknown; url: string }[] = [];
      let auditPage: unknown;
      for (let round = 1; round <= 3; round++) {
        await pool.withPage(async ({ page, origin, load }) => {
          await load(`${origin}print-${round}.html`, withScript(`Print ${round}`), FONTS);
          // A mark on the window: it survives only as long as no navigation replaces the window.
          const kept = await page.evaluate(() => (window as unknown as { kept?: number }).kept);
          await page.evaluate((round) => ((window as unknown as { kept?: number }).kept ??= round), round);
          seen.push({ kind: 'print', title: await page.title(), kept, runs: await page.evaluate(() => (window as unknown as { scriptRuns?: number }).scriptRuns), url: page.url() });
        });
        await pool.withPage(async ({ page, origin, load }) => {
          auditPage = page;
          await load(`${origin}audit-${round}.html`, withScript(`Audit ${round}`), '');
          seen.push({ kind: 'audit', title: await page.title(), kept: undefined, runs: await page.evaluate(() => (window as unknown as { scriptRuns?: number }).scriptRuns), url: page.url() });
        }, { script: SCRIPT });
      }
      expect(seen.map(({ kind, title, kept, runs }) => `${kind} ${title} kept=${kept} runs=${runs}`)).toEqual([
        // Page script off in print pages: the document's script does not run.
        'print Print 1 kept=undefined runs=undefined',
        // Its own script does (page script on), and the script the job asked for ran once.
        'audit script ran kept=undefined runs=1',
        // The print page was not navigated away from by the audit: its window (and fonts) stayed.
        'print Print 2 kept=1 runs=undefined',
        'audit script ran kept=undefined runs=1',
        'print Print 3 kept=1 runs=undefined',
        'audit script ran kept=undefined runs=1',
      ]);
      // Written documents take their own address, under the page's origin.
      expect(seen.filter(({ kind }) => kind === 'audit').map(({ url }) => url.replace(/^https:\/\/brief-\d+\.invalid\//, ''))).toEqual(['audit-1.html', 'audit-2.html', 'audit-3.html']);

      // With no page of its kind idle and enough pages open, a job takes another kind's page: a
      // print page taken from a script's job has page script off again, and a fresh window.
      // (One page a job at most: the other script takes the print page, the print the audit page.)
      await pool.withPage(async () => {}, { script: OTHER_SCRIPT });
      await pool.withPage(async ({ page, origin, load }) => {
        expect(page).toBe(auditPage);
        await load(`${origin}after.html`, withScript('After'), FONTS);
        expect(await page.title()).toBe('After');
        expect(await page.evaluate(() => [typeof (window as unknown as { scriptRuns?: number }).scriptRuns, typeof (window as unknown as { otherRuns?: number }).otherRuns])).toEqual(['undefined', 'undefined']);
      });
    } finally {
      await pool.close();
    }
  });
});
