import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import type { BodyPlaces } from './body-places.ts';
import { report } from './messages.ts';
import { closest } from './validate.ts';

/**
 * Checks the whole handout as the template made it (the body inside the layout): every id is used
 * once, and every link to a place in the page (#id) has somewhere to go. The body alone cannot
 * tell: a heading named "Main" gets the id the template's skip link goes to. Each problem is
 * placed where the body's tree says the element was written.
 */
export function checkPageLinks(tree: Root, file: VFile, places: BodyPlaces): void {
  const ids = new Map<string, Element>();
  const links: { fragment: string; href: string }[] = [];
  visit(tree, 'element', (node) => {
    const id = node.properties.id;
    if (typeof id === 'string' && id !== '') {
      if (ids.has(id)) {
        report(file, 'warning', `The id "${id}" is used twice in the handout, so links to it are ambiguous${duplicateHint(file, id)}.`, 'duplicate-id', places.id(id, 'last'));
      } else {
        ids.set(id, node);
      }
    }
    const href = node.tagName === 'a' ? node.properties.href : undefined;
    if (typeof href === 'string' && href.startsWith('#') && href.length > 1) links.push({ fragment: href.slice(1), href });
  });
  const reported = new Set<string>();
  for (const { fragment, href } of links) {
    let target: string;
    try {
      target = decodeURIComponent(fragment);
    } catch {
      target = fragment;
    }
    if (ids.has(target) || ids.has(fragment) || target.toLowerCase() === 'top' || reported.has(target)) continue;
    reported.add(target);
    report(file, 'warning', `Link "${href}" goes nowhere: no heading or element has the id "${target}".${nearest(target, [...ids.keys()])}`, 'broken-link', places.link(href));
  }
}

function duplicateHint(file: VFile, id: string): string {
  const heading = file.data.headings?.find((candidate) => candidate.id === id);
  return heading ? `: the heading "${heading.text}" takes an id the template uses; reword it` : '';
}

/** " Did you mean "#x"?" for an id one or two edits away, else nothing. */
function nearest(target: string, ids: string[]): string {
  const best = closest(target, ids);
  return best ? ` Did you mean "#${best}"?` : '';
}
