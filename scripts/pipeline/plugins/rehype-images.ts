import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toString } from 'hast-util-to-string';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { formatBytes } from '../read.ts';
import { report, reportOnce, type Finding } from '../messages.ts';
import { IMAGE_MEDIA_TYPES } from '../media-types.ts';

export interface RehypeImagesOptions {
  /** Folders images may come from (real paths); anything outside is refused. */
  allowedRoots: string[];
  /** Largest image embedded, in bytes. */
  maxBytes: number;
  /** Longest fetch of one remote image, in milliseconds. */
  fetchTimeoutMs: number;
}

const MIME = IMAGE_MEDIA_TYPES;
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|avif|svg\+xml)$/;

/**
 * Embeds every image as a data URL, so the handout is one file and the PDF's browser never
 * fetches anything. A relative path is read beside the brief, only from inside the allowed
 * folders (symlinks resolved); a remote image is fetched here, at build time, only from a host in
 * `allow_remote`, and only if it is an image of bounded size. Anything else becomes a visible
 * placeholder and a warning with its position. Files read go into file.data.dependencies.
 */
export default function rehypeImages(options: RehypeImagesOptions) {
  const roots = options.allowedRoots;
  return async (tree: Root, file: VFile) => {
    const images: Element[] = [];
    visit(tree, 'element', (node) => {
      if (node.tagName === 'img') images.push(node);
    });
    const dependencies = (file.data.dependencies ??= []);
    const allowed = file.data.allowRemote ?? [];
    // Badges and other remote images come in dozens: one message per host, not one per image.
    const notFetched: Finding[] = [];
    await Promise.all(
      images.map(async (image) => {
        const src = typeof image.properties.src === 'string' ? image.properties.src.trim() : '';
        const at = image.position?.start;
        if (typeof image.properties.alt !== 'string' || image.properties.alt.trim() === '') {
          report(file, 'warning', `Image "${src.startsWith('data:') ? 'data URL' : src}" has no alternative text: write it between the brackets, ![What the image shows](${src.startsWith('data:') ? 'image.png' : src}).`, 'image-alt', at);
        }
        const refuse = (reason: string, rule: string) => {
          report(file, 'warning', reason, rule, at);
          placeholder(image, src.startsWith('data:') ? 'data URL' : src);
        };
        if (/^data:/i.test(src)) {
          if (!/^data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i.test(src)) refuse('Image data URL is not an image type; it was removed.', 'unsafe-url');
          return;
        }
        if (/^https?:\/\//i.test(src)) {
          const host = URL.canParse(src) ? new URL(src).hostname : undefined;
          if (host === undefined) {
            refuse(`Image address "${safeDecode(src)}" is not a valid URL: check it for spaces, brackets or a stray character in the host name.`, 'missing-image');
            return;
          }
          if (!hostAllowed(host, allowed)) {
            notFetched.push({ kind: host, place: at, reason: `Remote image "${src}" is not fetched: ${host} is not in allow_remote. Save the image beside the brief, or allow the host in front matter or brief.config.yaml.` });
            placeholder(image, src);
            return;
          }
          const fetched = await fetchImage(src, allowed, options);
          if (typeof fetched === 'string') refuse(`Remote image "${src}" could not be used: ${fetched}.`, 'remote-image');
          else image.properties.src = `data:${fetched.type};base64,${fetched.bytes.toString('base64')}`;
          return;
        }
        if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('//')) {
          refuse(`Image "${src}" uses a scheme briefs do not load; use a file beside the brief.`, 'unsafe-url');
          return;
        }
        if (!src) {
          // The sanitizer removed an unsafe source and rehype-report-unsafe already said so.
          const explained = file.messages.some((message) => message.ruleId === 'unsafe-url' && message.line === at?.line && message.column === at?.column);
          if (explained) placeholder(image, '');
          else refuse('Image has no source.', 'missing-image');
          return;
        }
        const path = safeDecode(src.split(/[?#]/)[0]!);
        const absolute = resolve(file.dirname ?? '.', path);
        let real: string;
        try {
          real = await realpath(absolute);
        } catch (error) {
          dependencies.push(absolute);
          if (isMissing(error)) refuse(`Image "${src}" not found (looked for ${relative(file.cwd, absolute)}).`, 'missing-image');
          else refuse(cannotRead(src, relative(file.cwd, absolute), error), 'missing-image');
          return;
        }
        if (!roots.some((root) => real === root || real.startsWith(root + sep))) {
          refuse(`Image "${src}" is outside the brief's folder and templates/; it was not read.`, 'outside-project');
          return;
        }
        const mime = MIME[extname(real).toLowerCase()];
        if (!mime) {
          refuse(`Image "${src}" is not a supported type (${Object.keys(MIME).join(', ')}).`, 'missing-image');
          return;
        }
        dependencies.push(real);
        let bytes: Buffer;
        try {
          const size = (await stat(real)).size;
          if (size > options.maxBytes) {
            refuse(`Image "${src}" is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxBytes)} (limits.max_image_bytes).`, 'limit-image-size');
            return;
          }
          bytes = await readFile(real);
        } catch (error) {
          refuse(cannotRead(src, relative(file.cwd, real), error), 'missing-image');
          return;
        }
        if (mime === 'image/svg+xml') {
          const text = unembeddableText(bytes.toString('utf8'));
          if (text) report(file, 'warning', `SVG image "${src}" draws text ("${text}") in fonts the PDF cannot embed: an image cannot use the page's fonts, so its text prints in a font of this computer. Convert its text to outlines where it was made, or draw the chart from its data in a vega-lite block.`, 'font-not-embedded', at);
        }
        image.properties.src = `data:${mime};base64,${bytes.toString('base64')}`;
      }),
    );
    notFetched.sort((a, b) => (a.place?.line ?? 0) - (b.place?.line ?? 0) || (a.place?.column ?? 0) - (b.place?.column ?? 0));
    reportOnce(file, 'warning', 'remote-image', notFetched);
  };
}

/** True when `host` is listed, or matches a "*.example.org" entry. */
export function hostAllowed(host: string, allowed: string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : name === pattern;
  });
}

/**
 * Fetches one image from an allowed host: redirects are followed only to allowed hosts (at most
 * three), the answer must say it is an image, and no more than the size limit is read.
 */
async function fetchImage(url: string, allowed: string[], options: RehypeImagesOptions): Promise<{ type: string; bytes: Buffer } | string> {
  const signal = AbortSignal.timeout(options.fetchTimeoutMs);
  let current = url;
  try {
    for (let hop = 0; hop < 4; hop++) {
      const response = await fetch(current, { redirect: 'manual', signal });
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        const next = new URL(response.headers.get('location')!, current);
        if (!/^https?:$/.test(next.protocol) || !hostAllowed(next.hostname, allowed)) return `it redirects to ${next.href}, outside allow_remote`;
        current = next.href;
        continue;
      }
      if (!response.ok) return `the server answered ${response.status}`;
      const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!IMAGE_TYPES.test(type)) return `it is "${type || 'untyped'}", not an image`;
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > options.maxBytes) return `it is ${formatBytes(declared)}, over limits.max_image_bytes`;
      const chunks: Buffer[] = [];
      let size = 0;
      const reader = response.body?.getReader();
      for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
        size += read.value.length;
        if (size > options.maxBytes) {
          await reader!.cancel();
          return `it is over ${formatBytes(options.maxBytes)} (limits.max_image_bytes)`;
        }
        chunks.push(Buffer.from(read.value));
      }
      return { type, bytes: Buffer.concat(chunks) };
    }
    return 'too many redirects';
  } catch (error) {
    return signal.aborted ? `no answer within ${options.fetchTimeoutMs} ms (limits.fetch_timeout_ms)` : (error as Error).message;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** An image that is there but cannot be read: say so, never "not found". */
function cannotRead(src: string, path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code;
  return `Cannot read image "${src}" (${path}): ${why}. Check its permissions and those of its folders.`;
}

/** A percent-encoded path decoded, or as written when it is not valid percent-encoding. */
export function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The first text an SVG draws with fonts of the computer, if any: <text> that its own stylesheet
 * does not bring a font for (@font-face). Text turned into outlines is paths, not <text>.
 */
function unembeddableText(svg: string): string | undefined {
  const tree = fromHtml(svg, { fragment: true });
  let styled = false;
  let text: string | undefined;
  visit(tree, 'element', (node) => {
    if (node.tagName === 'style' && toString(node).includes('@font-face')) styled = true;
    if (node.tagName === 'text' && text === undefined) {
      const content = toString(node).trim();
      if (content) text = content.length > 40 ? `${content.slice(0, 40)}…` : content;
    }
  });
  return styled ? undefined : text;
}

/** Turns an image into a visible box that says which image is missing. */
function placeholder(image: Element, src: string): void {
  const alt = typeof image.properties.alt === 'string' ? image.properties.alt : '';
  image.tagName = 'span';
  image.properties = { className: ['image-missing'], role: 'img', ariaLabel: alt || src || 'missing image' };
  image.children = [{ type: 'text', value: `[${alt || 'image'}: ${src || 'no source'}]` }];
}
