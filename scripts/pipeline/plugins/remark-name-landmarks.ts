import type { Paragraph, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';

/**
 * Callouts and sidebars are `<aside>` landmarks, whether written as `:::` blocks or as GitHub
 * alerts: each gets a name (`aria-label`) from its title, numbered when titles repeat ("Note 1",
 * "Note 2"), so that screen readers can tell them apart and any number of boxes passes axe's
 * landmark-unique. Runs after every plugin that makes boxes (remark-directives, remark-github-alerts).
 */
export default function remarkNameLandmarks() {
  return (tree: Root, file: VFile) => {
    const landmarks: { properties: Record<string, unknown>; name: string }[] = [];
    visit(tree, (node) => {
      const data = (node as { data?: { hName?: string; hProperties?: Record<string, unknown> } }).data;
      if (data?.hName !== 'aside' || !data.hProperties) return;
      const classes = data.hProperties.className;
      if (!Array.isArray(classes)) return;
      const kind = classes.includes('callout') ? 'callout-title' : classes.includes('sidebar') ? 'sidebar-title' : undefined;
      if (!kind) return;
      const children = 'children' in node ? (node.children as { type: string; data?: { hProperties?: { className?: unknown } } }[]) : [];
      const heading = children.find((child): child is Paragraph => child.type === 'paragraph' && Array.isArray(child.data?.hProperties?.className) && (child.data!.hProperties!.className as unknown[]).includes(kind));
      const name = heading ? toString(heading) : kind === 'sidebar-title' ? (file.data.labels?.sidebar ?? 'Sidebar') : 'Note';
      landmarks.push({ properties: data.hProperties, name });
    });
    const total = new Map<string, number>();
    for (const { name } of landmarks) total.set(name, (total.get(name) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const { properties, name } of landmarks) {
      const nth = (seen.get(name) ?? 0) + 1;
      seen.set(name, nth);
      properties.ariaLabel = total.get(name)! > 1 ? `${name} ${nth}` : name;
    }
  };
}
