import type { Element, ElementContent, Properties, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { VFile } from 'vfile';
import { visit, SKIP } from 'unist-util-visit';
import type { DrawnFigure } from './remark-charts.ts';

/**
 * Puts each chart remark-charts drew where its block was: a figure holding the SVG (named for
 * assistive technology, `role="img"`), numbered and captioned later by rehype-figures like an
 * image, followed by the chart's data as a table in a collapsed <details> (no script; the
 * template hides it in print). Runs after the sanitizer: the SVG is ours, not the author's HTML.
 */
export default function rehypeCharts() {
  return (tree: Root, file: VFile) => {
    const charts = file.data.charts ?? [];
    if (charts.length === 0) return;
    const byOffset = new Map(charts.map((chart) => [chart.offset, chart]));
    let count = 0;
    visit(tree, 'element', (node, index, parent) => {
      const offset = node.position?.start.offset;
      if (node.tagName !== 'pre' || offset === undefined || !parent || index === undefined) return;
      const chart = byOffset.get(offset);
      if (!chart) return;
      count++;
      const figure: Element = {
        type: 'element',
        tagName: 'figure',
        properties: { className: ['figure', 'chart'], ...(chart.label ? { id: chart.label } : {}) },
        children: [svgOf(chart, `chart-${count}`)],
        position: node.position,
        // rehype-figures numbers it among the images and writes the caption.
        data: { caption: chart.caption, numbered: Boolean(chart.caption || chart.label), position: {} },
      };
      const replacement: ElementContent[] = [figure];
      if (chart.table) replacement.push(dataDetails(chart, file.data.labels?.chart_data ?? 'Data for this chart'));
      parent.children.splice(index, 1, ...replacement);
      return [SKIP, index + replacement.length];
    });
  };
}

/**
 * The chart's SVG as hast: one accessible image (Vega's own roles and labels on marks are dropped,
 * the data table tells the same), ids prefixed so two charts on a page never share one.
 */
function svgOf(chart: DrawnFigure, prefix: string): Element {
  const parsed = fromHtml(chart.svg, { fragment: true });
  const svg = parsed.children.find((child): child is Element => child.type === 'element' && child.tagName === 'svg');
  if (!svg) throw new Error('Vega produced no <svg> element');
  const ids = new Map<string, string>();
  visit(svg, 'element', (node) => {
    if (typeof node.properties.id === 'string') {
      const id = `${prefix}-${node.properties.id}`;
      ids.set(node.properties.id, id);
      node.properties.id = id;
    }
  });
  visit(svg, 'element', (node) => {
    for (const key of Object.keys(node.properties)) {
      if (key === 'role' || key.startsWith('aria')) delete node.properties[key];
    }
    for (const [key, value] of Object.entries(node.properties)) {
      if (typeof value !== 'string') continue;
      const renamed = value
        .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole))
        .replace(/^#(.+)$/, (whole, id: string) => (ids.has(id) && /href$/i.test(key) ? `#${ids.get(id)}` : whole));
      if (renamed !== value) node.properties[key] = renamed;
    }
  });
  const properties: Properties = { ...svg.properties, className: ['chart-svg'], role: 'img' };
  if (chart.name) properties.ariaLabel = chart.name;
  svg.properties = properties;
  return svg;
}

/** The chart's data as a table inside a closed <details>. */
function dataDetails(chart: DrawnFigure, summary: string): Element {
  const table = chart.table!;
  const cell = (tagName: 'th' | 'td', text: string, column: number): Element => ({
    type: 'element',
    tagName,
    properties: { ...(tagName === 'th' ? { scope: 'col' } : {}), ...(table.numeric[column] ? { className: ['num'] } : {}) },
    children: [{ type: 'text', value: text }],
  });
  const children: ElementContent[] = [
    { type: 'element', tagName: 'summary', properties: {}, children: [{ type: 'text', value: chart.caption ? `${summary}: ${chart.caption}` : summary }] },
    {
      type: 'element',
      tagName: 'table',
      properties: {},
      children: [
        { type: 'element', tagName: 'thead', properties: {}, children: [{ type: 'element', tagName: 'tr', properties: {}, children: table.columns.map((column, index) => cell('th', column, index)) }] },
        { type: 'element', tagName: 'tbody', properties: {}, children: table.rows.map((row) => ({ type: 'element', tagName: 'tr', properties: {}, children: row.map((value, index) => cell('td', value, index)) })) },
      ],
    },
  ];
  if (table.more > 0) children.push({ type: 'element', tagName: 'p', properties: {}, children: [{ type: 'text', value: `(+${table.more})` }] });
  return { type: 'element', tagName: 'details', properties: { className: ['chart-data'] }, children };
}
