import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { promisify } from 'node:util';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOOL_ROOT } from '../scripts/paths.ts';
import { countUntagged, markArtifacts } from '../scripts/pipeline/pdf-content.ts';
import { decodeContent } from '../scripts/pipeline/pdf-finish.ts';
import { SAMPLE_BRIEFS, samples } from './helpers/samples.ts';
import { testBrowser } from './helpers/validators.ts';

const run = promisify(execFile);

/**
 * The content-stream rewriter (pdf-content.ts) on a corpus of real Chromium output: each shared
 * fixture's handout printed by Chromium as it is (raw content streams, nothing of brief's
 * finishing), and each PDF brief finished. The rewrite must change no pixel of any page
 * (pdftoppm) and no extracted character (pdftotext): checks that share no code with the rewriter.
 */
const built = await samples(inject('samples'));
let dir: string;
const corpus: { name: string; raw: string; rewritten: string; marked: number; untaggedAfter: number }[] = [];

/** Rewrites every content stream of every page with markArtifacts alone; returns how many marks it wrapped. */
async function rewrite(source: string, target: string): Promise<{ marked: number; untaggedAfter: number }> {
  const doc = await PDFDocument.load(await readFile(source));
  let marked = 0;
  let untaggedAfter = 0;
  for (const page of doc.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    for (const ref of refs) {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream) || !(ref instanceof PDFRef)) continue;
      const result = markArtifacts(decodeContent(stream).toString('latin1'));
      marked += result.marked;
      untaggedAfter += countUntagged(result.text);
      doc.context.assign(ref, PDFRawStream.of(doc.context.obj({ Filter: 'FlateDecode' }), deflateSync(Buffer.from(result.text, 'latin1'))));
    }
  }
  await writeFile(target, await doc.save({ useObjectStreams: false }));
  return { marked, untaggedAfter };
}

/**
 * Every page of a PDF as poppler renders it: a PPM file each, its header (size) and its RGB
 * pixels as they are, uncompressed, so two renders are compared byte for byte with nothing to decode.
 */
async function pixels(pdf: string): Promise<Buffer[]> {
  const prefix = `${pdf}.page`;
  await run('pdftoppm', ['-r', '30', pdf, prefix]);
  const base = prefix.split('/').pop()!;
  const files = (await readdir(dir)).filter((name) => name.startsWith(`${base}-`) && name.endsWith('.ppm')).sort();
  return Promise.all(files.map((name) => readFile(join(dir, name))));
}

const text = async (pdf: string) => (await run('pdftotext', ['-enc', 'UTF-8', pdf, '-'])).stdout;

beforeAll(async () => {
  dir = await mkdtemp(join(TOOL_ROOT, 'tests', '.tmp', 'pdf-content-'));
  // One tab that opens and prints each handout in turn.
  const page = await (await testBrowser()).newPage();
  try {
    for (const name of SAMPLE_BRIEFS) {
      await page.goto(pathToFileURL(built.output(`${name}.html`)).href, { waitUntil: 'load' });
      const chromium = join(dir, `${name}.chromium.pdf`);
      await writeFile(chromium, await page.pdf({ tagged: true, printBackground: true, preferCSSPageSize: true }));
      for (const [kind, raw] of [['chromium', chromium], ['finished', built.output(`${name}.pdf`)]] as const) {
        const rewritten = join(dir, `${name}.${kind}.rewritten.pdf`);
        corpus.push({ name: `${name} (${kind})`, raw, rewritten, ...(await rewrite(raw, rewritten)) });
      }
    }
  } finally {
    await page.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('marking artifacts in real Chromium content streams', () => {
  it('has a corpus with marks to wrap: Chromium leaves backgrounds and margin boxes untagged', () => {
    expect(corpus.map((entry) => entry.name)).toHaveLength(SAMPLE_BRIEFS.length * 2);
    for (const entry of corpus.filter((candidate) => candidate.name.endsWith('(chromium)'))) expect(entry.marked, entry.name).toBeGreaterThan(0);
    // A PDF brief finished was rewritten already: there is nothing left to wrap.
    for (const entry of corpus.filter((candidate) => candidate.name.endsWith('(finished)'))) expect(entry.marked, entry.name).toBe(0);
  });

  it('leaves nothing outside tagged content and artifacts, on every page', () => {
    for (const entry of corpus) expect(entry.untaggedAfter, entry.name).toBe(0);
  });

  it('changes no pixel of any page (poppler renders before and after)', async () => {
    for (const entry of corpus) {
      const [before, after] = await Promise.all([pixels(entry.raw.startsWith(dir) ? entry.raw : await copyInto(entry.raw)), pixels(entry.rewritten)]);
      expect(after.length, `${entry.name}: pages`).toBe(before.length);
      expect(before.length, entry.name).toBeGreaterThan(0);
      before.forEach((page, index) => expect(page.equals(after[index]!), `${entry.name}, page ${index + 1}`).toBe(true));
    }
  });

  it('changes no character of the extracted text', async () => {
    for (const entry of corpus) {
      const original = await text(entry.raw);
      expect(original.length, entry.name).toBeGreaterThan(100);
      expect(await text(entry.rewritten), entry.name).toBe(original);
    }
  });
});

/** A copy of a PDF in this test's folder, where its page images are written. */
async function copyInto(path: string): Promise<string> {
  const copy = join(dir, `${path.split('/').pop()!}.copy.pdf`);
  await writeFile(copy, await readFile(path));
  return copy;
}
