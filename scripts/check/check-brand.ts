import { VFile } from 'vfile';
import { report } from '../pipeline/messages.ts';
import type { Brand } from '../pipeline/schema.ts';
import { parseYaml } from '../pipeline/yaml.ts';

/** WCAG 2's minimum contrast for text of normal size (AA): the brand colors print small text. */
const MINIMUM = 4.5;

/**
 * brand-contrast: each brand color of brief.config.yaml against the white of the page, by WCAG 2's
 * contrast ratio. The templates set headings, links, the series line and captions in these colors
 * (and white text on the primary color in bands), so each must reach 4.5:1. Reported at the color's
 * line in brief.config.yaml.
 */
export function checkBrand(file: VFile, brand: Brand | undefined): void {
  const colors = Object.entries(brand?.colors ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  if (colors.length === 0) return;
  // Positions only: the config was read and reported on already, so a scratch file takes any message.
  const yaml = file.value ? parseYaml(new VFile(), String(file.value), { firstLine: 1, rule: 'config-yaml', maxAliasCount: 100 }) : undefined;
  for (const [name, color] of colors) {
    const ratio = contrastRatio(color, '#ffffff');
    if (ratio >= MINIMUM) continue;
    report(
      file,
      'error',
      `brand.colors.${name} "${color}" has a contrast of ${ratio.toFixed(2)}:1 on white, under the 4.5:1 that text needs (WCAG AA): headings, links and labels in it are hard to read. Choose a darker color.`,
      'brand-contrast',
      yaml?.locate(['brand', 'colors', name]).start,
    );
  }
}

/** WCAG 2's contrast ratio of two hex colors, from 1 (same) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

function luminance(hex: string): number {
  const digits = hex.slice(1).length === 3 ? [...hex.slice(1)].map((digit) => digit + digit).join('') : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = parseInt(digits.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
