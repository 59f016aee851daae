import type { Root } from 'hast';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { report } from '../messages.ts';
import { safeDecode } from './rehype-images.ts';

/**
 * Links to another brief, written as its Markdown file (`japan.md`, `../asia/japan.md#trade`),
 * point at that brief's handout (`japan.html`); the printed copy turns them into `.pdf` (see
 * markdown.ts). A link to a brief that does not exist is reported.
 */
export default function rehypeLinks() {
  return (tree: Root, file: VFile) => {
    visit(tree, 'element', (node) => {
      const href = node.tagName === 'a' ? node.properties.href : undefined;
      if (typeof href !== 'string' || /^[a-z][a-z0-9+.-]*:|^\/\/|^#/i.test(href)) return;
      const match = /^([^?#]*\.md)(#.*)?$/i.exec(href);
      if (!match) return;
      const target = resolve(file.dirname ?? '.', safeDecode(match[1]!));
      (file.data.probes ??= []).push(target);
      if (!existsSync(target)) {
        report(file, 'warning', `Link "${href}" goes to a brief that does not exist (looked for ${match[1]} beside this one).`, 'broken-link', node.position?.start);
      }
      node.properties.href = `${match[1]!.slice(0, -3)}.html${match[2] ?? ''}`;
      node.properties.dataBrief = '';
    });
  };
}

