import type { Root } from 'hast';
import { visit } from 'unist-util-visit';
import { fontCoverage } from './font-coverage.ts';
import { charactersByFace } from './font-usage.ts';
import type { ResolvedFace } from './fonts.ts';

/** Elements that show code: a template's code face is embedded only for a page with one of these. */
const CODE = new Set(['code', 'pre', 'kbd', 'samp']);

/**
 * The faces a page uses and the characters each draws there, for subsetting: the template's
 * faces (its code face only if the page shows code), each given the characters the CSS cascade
 * sends to it and that its font file has (the rest fall to the next face).
 */
export async function pageFonts(page: Root, stylesheets: string[], templateFaces: ResolvedFace[], cacheDir: string): Promise<{ faces: ResolvedFace[]; usage: Map<ResolvedFace, Set<string>> }> {
  let hasCode = false;
  visit(page, 'element', (node) => {
    if (CODE.has(node.tagName)) hasCode = true;
  });
  const faces = templateFaces.filter((face) => face.onlyFor !== 'code' || hasCode);
  const coverage = new Map(await Promise.all(faces.map(async (face) => [face, await fontCoverage(face.path, cacheDir)] as const)));
  const usage = charactersByFace(page, stylesheets, faces, (face, char) => coverage.get(face)?.has(char.codePointAt(0)!) ?? true);
  return { faces, usage };
}
