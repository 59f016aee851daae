import { readdir, rm, cp, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TOOL_ROOT } from '../paths.ts';
import { captureChild } from './children.ts';
import { benchProject, type BenchRow } from './measure.ts';

/**
 * Issue 10: every README.md under node_modules (hundreds of real Markdown documents nobody here
 * wrote), built as they are, HTML and PDF, in one `npm run build`. Reports how many built, the
 * time per document, and the most common warnings by rule.
 */
export async function corpus(runs: number, log: (line: string) => void): Promise<{ rows: BenchRow[]; against: string }> {
  const readmes = await findReadmes(join(TOOL_ROOT, 'node_modules'));
  const project = await benchProject({});
  try {
    await mkdir(join(project.root, 'source'), { recursive: true });
    for (const path of readmes) {
      const name = relative(join(TOOL_ROOT, 'node_modules'), path).replace(/\/README\.md$/i, '').replace(/@/g, '').replace(/\//g, '__');
      await cp(path, join(project.root, 'source', `${name}.md`));
    }
    const rows: BenchRow[] = [];
    for (let index = 0; index < Math.min(runs, 2); index++) {
      log(`  corpus: run ${index + 1}: ${readmes.length} READMEs, html and pdf`);
      await rm(join(project.root, 'output'), { recursive: true, force: true });
      const started = performance.now();
      const { code, stdout, stderr } = await captureChild('npm', ['run', 'build', '--', '--format', 'html,pdf'], { cwd: project.root });
      const elapsed = performance.now() - started;
      const built = Number(/Built (\d+) of/.exec(stdout)?.[1] ?? 0);
      const rules = new Map<string, number>();
      for (const line of stderr.split('\n')) {
        const match = / (warning|error) .*\(([a-z-]+)\)$/.exec(line);
        if (match) rules.set(`${match[2]} (${match[1]})`, (rules.get(`${match[2]} (${match[1]})`) ?? 0) + 1);
      }
      const top = [...rules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([rule, count]) => `${rule} ${count}`).join(', ');
      rows.push({
        label: `all ${readmes.length} READMEs, html+pdf, per document`,
        runsMs: [elapsed / readmes.length],
        note: `built ${built}/${readmes.length} (exit ${code}) in ${(elapsed / 1000).toFixed(1)} s; top messages: ${top}`,
      });
    }
    return { rows, against: '' };
  } finally {
    await project.remove();
  }
}

/** Every README.md of a package under node_modules (nested ones too), in a stable order. */
async function findReadmes(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, depth: number) => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      if (entry.name === '.cache' || entry.name === '.bin') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 6) await walk(path, depth + 1);
      else if (entry.isFile() && /^readme\.md$/i.test(entry.name) && depth > 0) found.push(path);
    }
  };
  await walk(dir, 0);
  return found.filter((path) => /node_modules\/(@[^/]+\/)?[^/]+\/readme\.md$/i.test(path)).sort();
}
