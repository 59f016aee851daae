import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderBody } from './helpers/markdown.ts';

/** Pieces of Markdown and HTML, hostile and ordinary, that fast-check strings together. */
const piece = fc.oneof(
  fc.constantFrom(
    '# ', '## ', '> ', '- ', '1. ', '* ', '_', '**', '`', '```\n', '\n', '\n\n', '    ', '|', '| --- |', '[', ']', '(', ')', '![', '[^1]', '[^1]: note\n',
    ':::callout{type=note}\n', ':::\n', ':::key-points\n', ':::sidebar[T]\n', ':::pullquote\n', ':name[x]{y=z}', '::leaf',
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">', '</a>', '<svg onload=alert(1)>', '<iframe src=//x>',
    '<div', '>', '</div>', '<p style="x" onclick="y">', '<style>*{}</style>', '<!--', '-->', '<![CDATA[', ']]>', '&lt;', '&#106;avascript:', 'javascript:', 'data:text/html,x',
    '<a href="&#x6A;avascript:alert(1)">', '<math><mi xlink:href="javascript:1">', '<details ontoggle=alert(1) open>', '<form action=x><button formaction=javascript:1>', '"', "'", '=', ' ',
    '{{title}}', '{{{body}}}', '日本語', 'é', '\u00ad', '\u0000', '\r\n', '\t',
  ),
  fc.string({ maxLength: 12 }),
);
const markdown = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));

describe('any Markdown', () => {
  it('never crashes the pipeline and never yields a script, an event handler or a javascript: URL', async () => {
    await fc.assert(
      fc.asyncProperty(markdown, async (text) => {
        const { html, printHtml } = await renderBody(text, { print: true });
        for (const out of [html, printHtml ?? '']) {
          expect(out).not.toMatch(/<script/i);
          expect(out).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
          expect(out).not.toMatch(/<[a-z][^<>]*\s(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|data:text)/i);
          expect(out).not.toMatch(/<(iframe|object|embed|base|meta|form|style|svg|math)\b/i);
        }
      }),
      { numRuns: 400 },
    );
  });
});
