// Baseline for the benchmark: the least any Chrome-based tool can do for one brief. Starts Node,
// imports puppeteer, launches Chrome, loads a finished HTML file, prints it with an outline and
// tags, writes the PDF and closes Chrome. Usage: node bare-print.mjs CHROME IN.html OUT.pdf
import { readFile, writeFile } from 'node:fs/promises';
import puppeteer from 'puppeteer';

const [chrome, input, output] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: chrome,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setContent(await readFile(input, 'utf8'), { waitUntil: 'load' });
  await writeFile(output, await page.pdf({ preferCSSPageSize: true, printBackground: true, outline: true, tagged: true }));
} finally {
  await browser.close();
}
