import type { Root } from 'hast';
import type { VFile } from 'vfile';
import { SKIP, visit } from 'unist-util-visit';
import { report } from '../messages.ts';
import { sanitizeSchema } from './sanitize-schema.ts';

const ALLOWED = new Set(sanitizeSchema.tagNames ?? []);
/** Removed with everything inside them, so what is inside needs no message of its own. */
const STRIPPED = new Set(sanitizeSchema.strip ?? []);
const URL_ATTRIBUTES = ['href', 'src', 'action', 'formAction', 'data', 'poster', 'cite', 'background'];

/**
 * Says what the sanitizer is about to remove from raw HTML, with its position, so that an author
 * whose pasted <iframe> vanished learns why: elements briefs do not allow, event-handler
 * attributes, and links or sources with a scheme that runs code (javascript:, vbscript:, data:…).
 * Runs just before rehype-sanitize, and only when the brief is not trusted (unsafe_html).
 */
export default function rehypeReportUnsafe() {
  return (tree: Root, file: VFile) => {
    if (file.data.trustHtml) return;
    visit(tree, 'element', (node) => {
      const at = node.position?.start;
      if (!ALLOWED.has(node.tagName)) {
        report(file, 'warning', `Raw HTML <${node.tagName}> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote).`, 'unsafe-html', at);
        return STRIPPED.has(node.tagName) ? SKIP : undefined;
      }
      for (const [name, value] of Object.entries(node.properties)) {
        if (/^on/i.test(name)) {
          report(file, 'warning', `Event handler ${name.toLowerCase()}="…" removed from <${node.tagName}>: no script runs in a brief.`, 'unsafe-html', at);
        } else if (URL_ATTRIBUTES.includes(name) && typeof value === 'string' && unsafeScheme(value) && !(node.tagName === 'img' && unsafeScheme(value) === 'data')) {
          // (An image's data: URL is judged, and reported, by rehype-images.)
          report(file, 'warning', `${name === 'src' ? 'Source' : 'Link'} "${value.slice(0, 60)}" removed from <${node.tagName}>: the ${unsafeScheme(value)}: scheme is not allowed.`, 'unsafe-url', at);
        }
      }
    });
  };
}

/** The scheme of a URL that is not http(s), mailto, tel or an image data URL; undefined if fine. */
function unsafeScheme(url: string): string | undefined {
  // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020]/g, ''))?.[1]?.toLowerCase();
  if (!scheme || ['http', 'https', 'mailto', 'tel'].includes(scheme)) return undefined;
  if (scheme === 'data' && /^\s*data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i.test(url)) return undefined;
  return scheme;
}
