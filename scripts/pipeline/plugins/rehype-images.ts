import type { Element, Root } from 'hast';
import { readFile, realpath } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { report } from '../messages.ts';

export interface RehypeImagesOptions {
  /** Folders images may come from (real paths); anything outside is refused. */
  allowedRoots: string[];
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
};

/**
 * Embeds every image as a data URL, so the handout is one file and the PDF's browser never
 * fetches anything. A relative path is read beside the brief, only from inside the allowed
 * folders (symlinks resolved); a missing, outside or remote image becomes a visible placeholder
 * and a warning with its position. Images read are recorded in file.data.dependencies.
 */
export default function rehypeImages(options: RehypeImagesOptions) {
  const roots = options.allowedRoots;
  return async (tree: Root, file: VFile) => {
    const images: Element[] = [];
    visit(tree, 'element', (node) => {
      if (node.tagName === 'img') images.push(node);
    });
    const dependencies = (file.data.dependencies ??= []);
    await Promise.all(
      images.map(async (image) => {
        const src = typeof image.properties.src === 'string' ? image.properties.src.trim() : '';
        const at = image.position?.start;
        if (/^data:/i.test(src)) {
          if (!/^data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i.test(src)) {
            report(file, 'warning', 'Image data URL is not an image type; it was removed.', 'unsafe-url', at);
            placeholder(image, src.slice(0, 30));
          }
          return;
        }
        if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//')) {
          report(file, 'warning', `Remote image "${src}" is not fetched: briefs embed local images only. Save it beside the brief and link the file.`, 'remote-image', at);
          placeholder(image, src);
          return;
        }
        if (!src) {
          report(file, 'warning', 'Image has no source.', 'missing-image', at);
          placeholder(image, '');
          return;
        }
        const path = decodeURIComponent(src.split(/[?#]/)[0]!);
        const absolute = resolve(file.dirname ?? '.', path);
        let real: string;
        try {
          real = await realpath(absolute);
        } catch {
          report(file, 'warning', `Image "${src}" not found (looked for ${relative(file.cwd, absolute)}).`, 'missing-image', at);
          placeholder(image, src);
          dependencies.push(absolute);
          return;
        }
        if (!roots.some((root) => real === root || real.startsWith(root + sep))) {
          report(file, 'warning', `Image "${src}" is outside the brief's folder and templates/; it was not read.`, 'outside-project', at);
          placeholder(image, src);
          return;
        }
        const mime = MIME[extname(real).toLowerCase()];
        if (!mime) {
          report(file, 'warning', `Image "${src}" is not a supported type (${Object.keys(MIME).join(', ')}).`, 'missing-image', at);
          placeholder(image, src);
          return;
        }
        dependencies.push(real);
        const bytes = await readFile(real);
        image.properties.src = `data:${mime};base64,${bytes.toString('base64')}`;
      }),
    );
  };
}

/** Turns an image into a visible box that says which image is missing. */
function placeholder(image: Element, src: string): void {
  const alt = typeof image.properties.alt === 'string' ? image.properties.alt : '';
  image.tagName = 'span';
  image.properties = { className: ['image-missing'], role: 'img', ariaLabel: alt || src || 'missing image' };
  image.children = [{ type: 'text', value: `[${alt || 'image'}: ${src || 'no source'}]` }];
}
