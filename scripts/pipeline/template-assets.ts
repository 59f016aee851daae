import { readFile, realpath } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import { parse, parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import postcss from 'postcss';
import valueParser from 'postcss-value-parser';
import { TemplateError } from './template.ts';
import { FONT_MEDIA_TYPES, IMAGE_MEDIA_TYPES } from './media-types.ts';

type ParentNode = DefaultTreeAdapterMap['parentNode'];
type ChildNode = DefaultTreeAdapterMap['childNode'];

/** What a template's markup and CSS may embed. */
const TYPES: Readonly<Record<string, string>> = { ...IMAGE_MEDIA_TYPES, ...FONT_MEDIA_TYPES };

/** A file of the template (or its folder) that its markup or CSS refers to. */
export interface TemplateAssets {
  /** The template's folder: assets are read from inside it only. */
  dir: string;
  /** The project folder: paths in messages are relative to it. */
  root: string;
  /** Files read are added here (the brief depends on them). */
  files: string[];
}

/**
 * Embeds the images a template's markup names by a relative path (`<img src="logo.svg">`) as
 * data URLs, so they load like a brief's own images: the handout stays one file and Chrome asks
 * for nothing. Addresses with `{{…}}` come from the view and are left alone. A missing file is a
 * TemplateError at the attribute's line and column in the template file.
 */
export async function embedMarkupAssets(source: string, path: string, assets: TemplateAssets): Promise<string> {
  const tree = /^\s*(<!doctype|<html)/i.test(source) ? parse(source, { sourceCodeLocationInfo: true }) : parseFragment(source, { sourceCodeLocationInfo: true });
  const edits: { start: number; end: number; text: string }[] = [];
  const pending: Promise<void>[] = [];
  const walk = (node: ParentNode | ChildNode) => {
    if ('tagName' in node && node.tagName === 'img') {
      const src = node.attrs.find((attribute) => attribute.name === 'src');
      const location = node.sourceCodeLocation?.attrs?.src;
      if (src && location && isLocalPath(src.value)) {
        pending.push(
          dataUrl(src.value, assets, path, { line: location.startLine, column: location.startCol }).then((url) => {
            edits.push({ start: location.startOffset, end: location.endOffset, text: `src="${url}"` });
          }),
        );
      }
    }
    if ('childNodes' in node) for (const child of node.childNodes) walk(child);
    if ('content' in node) walk(node.content);
  };
  walk(tree);
  await Promise.all(pending);
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  return text;
}

/**
 * Embeds the files a template's CSS names with url() (backgrounds, a logo, its own fonts) as
 * data URLs. A missing file is a TemplateError at the declaration's line and column.
 */
export async function embedCssAssets(css: string, path: string, assets: TemplateAssets): Promise<string> {
  const root = postcss.parse(css, { from: path });
  const declarations: postcss.Declaration[] = [];
  root.walkDecls((declaration) => {
    if (/url\(/i.test(declaration.value)) declarations.push(declaration);
  });
  if (declarations.length === 0) return css;
  for (const declaration of declarations) {
    const value = valueParser(declaration.value);
    const urls: valueParser.Node[] = [];
    value.walk((node) => {
      if (node.type === 'function' && node.value.toLowerCase() === 'url' && node.nodes[0] && isLocalPath(node.nodes[0].value)) urls.push(node.nodes[0]);
    });
    const place = { line: declaration.source?.start?.line ?? 1, column: declaration.source?.start?.column ?? 1 };
    for (const node of urls) {
      const url = await dataUrl(node.value, assets, path, place);
      Object.assign(node, { type: 'string', quote: '"', value: url });
    }
    declaration.value = value.toString();
  }
  return root.toString();
}

/** A relative file path: not a URL, a fragment, a data URL or a value the view fills in. */
function isLocalPath(value: string): boolean {
  const trimmed = value.trim();
  return trimmed !== '' && !trimmed.includes('{{') && !trimmed.startsWith('#') && !trimmed.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed);
}

async function dataUrl(src: string, assets: TemplateAssets, path: string, place: { line: number; column: number }): Promise<string> {
  const target = resolve(assets.dir, decodeURIComponent(src.split(/[?#]/)[0]!));
  const shown = relative(assets.root, target);
  const type = TYPES[extname(target).toLowerCase()];
  if (!type) throw new TemplateError(`Template: "${src}" is not a file type a template can embed (${Object.keys(TYPES).join(', ')}).`, path, place.line, place.column, 'template-asset');
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new TemplateError(`Template: "${src}" not found (looked for ${shown}). Put the file in the template's folder, or correct the address.`, path, place.line, place.column, 'template-asset');
  }
  const base = await realpath(assets.dir);
  if (!real.startsWith(base + sep)) {
    throw new TemplateError(`Template: "${src}" is outside the template's folder; it was not read.`, path, place.line, place.column, 'template-asset');
  }
  assets.files.push(real);
  return `data:${type};base64,${(await readFile(real)).toString('base64')}`;
}
