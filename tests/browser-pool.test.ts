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
