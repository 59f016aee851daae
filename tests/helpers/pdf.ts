import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Text of a PDF (or of one page) as poppler's pdftotext reads it, in reading order. */
export async function pdfText(path: string, page?: number): Promise<string> {
  const range = page ? ['-f', String(page), '-l', String(page)] : [];
  return (await run('pdftotext', ['-enc', 'UTF-8', ...range, path, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** pdfinfo's fields: Title, Author, Pages, Tagged… */
export async function pdfInfo(path: string): Promise<Record<string, string>> {
  const { stdout } = await run('pdfinfo', ['-isodates', path]);
  return Object.fromEntries(stdout.split('\n').filter((line) => line.includes(':')).map((line) => [line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim()]));
}

/** pdffonts' table, one row per font. */
export async function pdfFonts(path: string): Promise<{ name: string; type: string; embedded: boolean }[]> {
  const { stdout } = await run('pdffonts', [path]);
  return stdout
    .split('\n')
    .slice(2)
    .filter(Boolean)
    .map((line) => {
      const row = /^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(line);
      if (!row) throw new Error(`Unexpected pdffonts line: ${line}`);
      return { name: row[1]!, type: row[2]!, embedded: row[4] === 'yes' };
    });
}

/** The outline (bookmarks) with the page each opens, from qpdf's JSON. */
export async function pdfOutline(path: string): Promise<{ title: string; page: number; depth: number }[]> {
  const { stdout } = await run('qpdf', ['--json', '--json-key=outlines', path], { maxBuffer: 64 * 1024 * 1024 });
  const entries: { title: string; page: number; depth: number }[] = [];
  type Node = { title: string; destpageposfrom1: number; kids: Node[] };
  const walk = (nodes: Node[], depth: number) => {
    for (const node of nodes) {
      entries.push({ title: node.title, page: node.destpageposfrom1, depth });
      walk(node.kids, depth + 1);
    }
  };
  walk((JSON.parse(stdout) as { outlines: Node[] }).outlines, 1);
  return entries;
}

/** `qpdf --check`: exit code and what it said. */
export async function qpdfCheck(path: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run('qpdf', ['--check', path]);
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number };
    // qpdf exits 3 for warnings, 2 for errors.
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''} (exit ${failure.code})` };
  }
}

/** The document catalog's /Lang, read by qpdf. */
export async function pdfLang(path: string): Promise<string | undefined> {
  const { stdout } = await run('qpdf', ['--json', '--json-key=qpdf', path], { maxBuffer: 64 * 1024 * 1024 });
  const objects = (JSON.parse(stdout) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown> }>] }).qpdf[1];
  for (const object of Object.values(objects)) {
    const value = object.value;
    if (value && value['/Type'] === '/Catalog') return typeof value['/Lang'] === 'string' ? value['/Lang'].replace(/^u:/, '') : undefined;
  }
  return undefined;
}

/** Text reduced to letters and digits, so line breaks, hyphenation and spacing do not matter. */
export function letters(text: string): string {
  return text.normalize('NFKC').replace(/[\s\u00ad\-‐‑–—]/g, '');
}
