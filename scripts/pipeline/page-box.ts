/** The @page margins of the first page and of the others, in CSS px. */
export interface PageMargins {
  first: { top: number; right: number; bottom: number; left: number };
  other: { top: number; right: number; bottom: number; left: number };
}

/**
 * The page box the document's CSS asks for, read in the page (through page.evaluate, so it must
 * be self-contained; the page's own JavaScript stays off): the @page margins of the first page and
 * of the others, and the paper size, in CSS px. Later rules win, as in the cascade; @page rules
 * inside @media print count. Used by the footnote layout and by npm run check's layout measure.
 */
export function readPageBox(): { margins: PageMargins; size: { width: number; height: number } | undefined } {
  const other = { top: 0, right: 0, bottom: 0, left: 0 };
  // Paper sizes by name, in CSS px (96 to the inch).
  const named: Record<string, [number, number]> = { letter: [816, 1056], legal: [816, 1344], ledger: [1056, 1632], a5: [559.37, 793.7], a4: [793.7, 1122.52], a3: [1122.52, 1587.4], b5: [665.2, 944.88], b4: [944.88, 1334.17] };
  let size: { width: number; height: number } | undefined;
  const first: Partial<typeof other> = {};
  const probe = document.createElement('div');
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  document.body.append(probe);
  const toPixels = (value: string): number | undefined => {
    if (!value) return undefined;
    probe.style.width = value;
    const width = probe.getBoundingClientRect().width;
    return Number.isFinite(width) ? width : undefined;
  };
  const visit = (rules: CSSRuleList) => {
    for (const rule of Array.from(rules)) {
      if (rule instanceof CSSPageRule && rule.selectorText === '' && rule.style.getPropertyValue('size')) {
        const words = rule.style.getPropertyValue('size').trim().toLowerCase().split(/\s+/);
        const landscape = words.includes('landscape');
        const name = words.find((word) => named[word]);
        const lengths = words.filter((word) => /^[\d.]/.test(word)).map((word) => toPixels(word) ?? 0);
        const [width, height] = name ? named[name]! : lengths.length === 2 ? [lengths[0]!, lengths[1]!] : lengths.length === 1 ? [lengths[0]!, lengths[0]!] : [0, 0];
        if (width > 0 && height > 0) size = landscape ? { width: height, height: width } : { width, height };
      }
      if (rule instanceof CSSPageRule && (rule.selectorText === '' || rule.selectorText === ':first')) {
        for (const side of ['top', 'right', 'bottom', 'left'] as const) {
          const value = toPixels(rule.style.getPropertyValue(`margin-${side}`));
          if (value === undefined) continue;
          if (rule.selectorText === '') other[side] = value;
          else first[side] = value;
        }
      } else if (rule instanceof CSSMediaRule && /print|all/.test(rule.conditionText)) {
        visit(rule.cssRules);
      }
    }
  };
  for (const sheet of Array.from(document.styleSheets)) {
    try {
      visit(sheet.cssRules);
    } catch {
      // A sheet from elsewhere (none load, but be safe).
    }
  }
  probe.remove();
  return { margins: { first: { ...other, ...first }, other }, size };
}
