import type { Element, Properties, Root } from 'hast';
import { sanitize } from 'hast-util-sanitize';
import { find, html } from 'property-information';
import type { VFile } from 'vfile';
import { SKIP, visit } from 'unist-util-visit';
import { reportOnce, type Finding } from '../messages.ts';
import { sanitizeSchema } from './sanitize-schema.ts';

const ALLOWED = new Set(sanitizeSchema.tagNames ?? []);
/** Removed with everything inside them, so what is inside needs no message of its own. */
const STRIPPED = new Set(sanitizeSchema.strip ?? []);
const URL_ATTRIBUTES = ['href', 'src', 'action', 'formAction', 'data', 'poster', 'cite', 'background'];
/** The schema for judging one element's attributes on its own: where it stands is not asked here. */
const ATTRIBUTES_ONLY = { ...sanitizeSchema, ancestors: {}, required: {}, strip: [] };

/**
 * Says what the sanitizer is about to remove from raw HTML, so that an author whose pasted
 * <iframe> or `style="…"` vanished learns why: elements briefs do not allow, event handlers,
 * links or sources with a scheme that runs code (javascript:, vbscript:, data:…), and every other
 * attribute or class the sanitizer drops, each kind once, at its first place, with the lines of
 * the others. What is dropped is asked of the sanitizer itself, one element at a time, so the
 * messages cannot drift from what it does. Runs just before rehype-sanitize, and only when the
 * brief is not trusted (unsafe_html).
 */
export default function rehypeReportUnsafe() {
  return (tree: Root, file: VFile) => {
    if (file.data.trustHtml) return;
    const elements: Finding[] = [];
    const attributes: Finding[] = [];
    const urls: Finding[] = [];
    visit(tree, 'element', (node) => {
      const at = node.position?.start;
      if (!ALLOWED.has(node.tagName)) {
        elements.push({ kind: node.tagName, place: at, reason: `Raw HTML <${node.tagName}> removed: briefs keep text, tables, figures and links, not active or embedded content (set unsafe_html: true only for HTML you wrote).` });
        return STRIPPED.has(node.tagName) ? SKIP : undefined;
      }
      const kept = keptProperties(node);
      for (const [name, value] of Object.entries(node.properties)) {
        if (value === undefined || value === null || value === false) continue;
        const attribute = find(html, name).attribute;
        if (/^on/i.test(name)) {
          attributes.push({ kind: attribute, place: at, reason: `Event handler ${attribute.toLowerCase()}="…" removed from <${node.tagName}>: no script runs in a brief.` });
        } else if (URL_ATTRIBUTES.includes(name) && typeof value === 'string' && unsafeScheme(value)) {
          // (An image's data: URL is judged, and reported, by rehype-images.)
          if (node.tagName === 'img' && unsafeScheme(value) === 'data') continue;
          urls.push({ kind: `${value}@${at?.line}:${at?.column}`, place: at, reason: `${name === 'src' ? 'Source' : 'Link'} "${value.slice(0, 60)}" removed from <${node.tagName}>: the ${unsafeScheme(value)}: scheme is not allowed.` });
        } else if (name === 'style' && kept[name] === undefined) {
          attributes.push({ kind: 'style', place: at, reason: `Attribute style="…" removed from <${node.tagName}>: a brief takes its look from the template. Size an image with ![alt](file.png){width=50%}.` });
        } else if (name === 'className' && Array.isArray(value)) {
          const classes = Array.isArray(kept.className) ? kept.className.map(String) : [];
          const dropped = value.map(String).filter((name) => !classes.includes(name));
          for (const name of dropped) attributes.push({ kind: `class ${name}`, place: at, reason: `Class "${name}" removed from <${node.tagName}>: raw HTML keeps only the classes of brief's own blocks.` });
        } else if (kept[name] === undefined) {
          attributes.push({ kind: `${attribute} ${node.tagName}`, place: at, reason: `Attribute ${attribute}="…" removed from <${node.tagName}>: raw HTML keeps only the attributes briefs allow.` });
        }
      }
    });
    reportOnce(file, 'warning', 'unsafe-html', elements);
    reportOnce(file, 'warning', 'unsafe-html', attributes);
    reportOnce(file, 'warning', 'unsafe-url', urls);
  };
}

/** The properties the sanitizer keeps on this element, judged on its own. */
function keptProperties(node: Element): Properties {
  const alone: Root = { type: 'root', children: [{ type: 'element', tagName: node.tagName, properties: { ...node.properties }, children: [] }] };
  const clean = sanitize(alone, ATTRIBUTES_ONLY);
  const element = clean.type === 'root' ? clean.children[0] : undefined;
  return element?.type === 'element' ? element.properties : {};
}

/** The scheme of a URL that is not http(s), mailto, tel or an image data URL; undefined if fine. */
function unsafeScheme(url: string): string | undefined {
  // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020]/g, ''))?.[1]?.toLowerCase();
  if (!scheme || ['http', 'https', 'mailto', 'tel'].includes(scheme)) return undefined;
  if (scheme === 'data' && /^\s*data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i.test(url)) return undefined;
  return scheme;
}
