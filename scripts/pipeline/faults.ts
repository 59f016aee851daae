import type { Page } from 'puppeteer';
import type { BrowserPool } from './browser.ts';

/**
 * Test seam (BRIEF_FAULTS, see settings.ts): makes Chrome fail on purpose for one brief, the way
 * it fails in the wild, so the retry and the reporting can be tested with a real Chrome.
 */
export async function injectFault(fault: string | undefined, attempt: number, page: Page, browser: BrowserPool): Promise<void> {
  if (!fault) return;
  if (fault === 'crash-page-always' || (fault === 'crash-page' && attempt === 1)) {
    // Page.crash never answers (its renderer is gone): do not wait for it.
    const session = await page.createCDPSession();
    void session.send('Page.crash').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
  } else if (fault === 'kill-chrome' && attempt === 1 && browser.pid) {
    process.kill(browser.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
  } else if (fault === 'hang-always') {
    // The renderer's only thread spins until the page's timeout gives up on it.
    await page.evaluate('for (;;) {}').catch(() => undefined);
  }
}
