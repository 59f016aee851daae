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
      for (let job = 1; job <= 10; job++) {
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
      // Swapped-out documents stay alive until the renderer collects them: nodes grow by one
      // document a job, to five documents' worth by the fifth; collected after it, the sixth job
      // starts again from two (the one shown and the one just replaced), and no job sees more
      // than six documents' worth (without collections: ten by the tenth job).
      expect(counts).toHaveLength(10);
      expect(counts[4]!).toBeGreaterThan(counts[0]! * 4);
      expect(counts[5]!).toBeLessThan(counts[4]! / 2);
      expect(Math.max(...counts)).toBeLessThanOrEqual((counts[4]! / 5) * 6 * 1.05);
    } finally {
      await pool.close();
    }
  });
});
