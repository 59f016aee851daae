/**
 * The rules `npm run check` applies: each has a stable id (printed in parentheses after each
 * message, and used in `ignore:` to silence it for a brief), a category, the severity it has in a
 * check, what it finds and an example of its message. The README's rule table is made from this
 * list (npm run docs). In `npm run build`, content rules are reported as warnings only.
 * The list lives with the build, not with the checks: every build applies `ignore:`, and
 * brief.config.yaml is validated against it.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { TOOL_ROOT } from '../paths.ts';
import { report } from './messages.ts';
import { closest } from './validate.ts';
import type { PositionedYaml } from './yaml.ts';

export interface Rule {
  id: string;
  category: 'content' | 'layout' | 'accessibility';
  severity: 'error' | 'warning';
  /** What the rule finds. */
  finds: string;
  /** A message it gives, as printed. */
  example: string;
}

export const RULES: Rule[] = [
  { id: 'broken-link', category: 'content', severity: 'error', finds: 'A link to a place in the handout (`#id`) that no element has (the template\'s ids count), or to a sibling brief (`other.md`) that does not exist.', example: 'source/x.md:8:5 error Link "#trades" goes nowhere: no heading or element has the id "trades". Did you mean "#trade"? (broken-link)' },
  { id: 'broken-footnote', category: 'content', severity: 'error', finds: 'A footnote reference with no note, or a note nothing refers to.', example: 'source/x.md:6:18 error Footnote [^2] has no note: add "[^2]: …" at the end. (broken-footnote)' },
  { id: 'missing-image', category: 'content', severity: 'error', finds: 'An image file that is not there (the build shows a placeholder instead).', example: 'source/x.md:6:1 error Image "nowhere.png" not found (looked for source/nowhere.png). (missing-image)' },
  { id: 'image-alt', category: 'content', severity: 'error', finds: 'An image without alternative text (`![text](file.png)`): screen readers skip it, and the PDF leaves it out of its structure.', example: 'source/x.md:8:1 error Image "map.png" has no alternative text: write it between the brackets, ![What the image shows](map.png). (image-alt)' },
  { id: 'heading-skip', category: 'content', severity: 'warning', finds: 'A heading that skips a level (`##` then `####`), or a level-1 heading in the body (the title is the only one).', example: 'source/x.md:10:1 warning Heading level 4 follows level 2: use ### here. (heading-skip)' },
  { id: 'empty-section', category: 'content', severity: 'warning', finds: 'A heading with nothing under it before the next heading of the same or a higher level.', example: 'source/x.md:6:1 warning Section "Outlook" is empty. (empty-section)' },
  { id: 'duplicate-id', category: 'content', severity: 'error', finds: 'Two elements of the handout with the same id: a heading named like a part of the template (Main, Contents…), or an id written in raw HTML. Reported at the second.', example: 'source/x.md:6:1 error The id "main" is used twice in the handout, so links to it are ambiguous: the heading "Main" takes an id the template uses; reword it. (duplicate-id)' },
  { id: 'unknown-field', category: 'content', severity: 'warning', finds: 'A front-matter field the schema does not know (a typo, most often).', example: 'source/x.md:4:1 warning Unknown front-matter field "sumary" is ignored. Did you mean "summary"? (unknown-field)' },
  { id: 'page-budget', category: 'layout', severity: 'error', finds: 'A PDF with more pages than its budget, `max_pages` (front matter, or brief.config.yaml for every brief), and by how many.', example: 'source/x.md:4:1 error The PDF has 6 pages, 5 over the budget of 1 (max_pages): cut 5 pages of text, or raise the budget. (page-budget)' },
  { id: 'overflow', category: 'layout', severity: 'error', finds: 'Something wider than the page box, measured in Chromium at the printed width: a wide table, a long URL, a line of code, an image. Chrome cuts it off at the page edge.', example: 'source/x.md:8:1 error A table is 9.10 in (874 px) wider than the page and is cut off at the right edge: give it fewer columns, or shorter words and numbers in its cells. (overflow)' },
  { id: 'stranded-heading', category: 'layout', severity: 'warning', finds: 'A heading left last on a page, its text on the next (read from where the PDF\'s structure tree puts each piece of content).', example: 'source/x.md:11:1 warning Heading "Outlook" is the last thing on page 1; its text starts on page 2. Keep it with its text (shorten what comes before, or break the page earlier). (stranded-heading)' },
  { id: 'split-block', category: 'layout', severity: 'warning', finds: 'An image or a table row printed across two pages (from the PDF\'s structure tree), or an image taller than a page; says how tall it is when it cannot fit.', example: 'source/x.md:8:1 warning A table row is split across pages 2 and 3. It is 13.09 in tall; a page holds 9.20 in. (split-block)' },
  { id: 'note-not-placed', category: 'layout', severity: 'warning', finds: 'A footnote (`notes: footnotes`) not printed at the foot of the page that cites it: taller than the room a page leaves it, it prints on a later page, or under "Notes" at the end if it fits no page. Read from the PDF\'s links (reference to note, note number back to reference).', example: 'source/x.md:14:52 warning Footnote 17 could not be placed at the foot of page 3, where it is cited: it prints on page 4. It is taller than the room the page leaves it: shorten it, or split it into two notes. (note-not-placed)' },
  { id: 'font-not-embedded', category: 'layout', severity: 'error', finds: 'A font in the PDF that is not one of the template\'s bundled fonts (the computer\'s own), not embedded, or of Type 3.', example: 'source/x.md:1:1 error The PDF uses "DejaVuSans", a font of this computer, not one of the template\'s: a character no bundled font has (see missing-glyph), or a font-family in the template\'s CSS that names no bundled font. Built elsewhere, the PDF will look different. (font-not-embedded)' },
  { id: 'missing-glyph', category: 'layout', severity: 'error', finds: 'A character no font of the template has a glyph for: it prints in some font of the computer, or as an empty box ("tofu").', example: 'source/x.md:6:10 error No font of the template has "☔" (U+2614): it prints in a font of this computer, or as an empty box ("tofu"). (missing-glyph)' },
  { id: 'axe', category: 'accessibility', severity: 'error', finds: 'A violation axe-core finds in the HTML handout, run in Chromium (WCAG 2.0-2.2 A and AA, and best practices); axe\'s own rule id comes first in the message. One that repeats a content rule\'s finding on the same line is left out.', example: 'source/x.md:9:4 error axe color-contrast (serious): Elements must meet minimum color contrast ratio thresholds, at <span> "Too faint to read.". (axe)' },
  { id: 'pdf-tagged', category: 'accessibility', severity: 'error', finds: 'A PDF that is not tagged (no `/MarkInfo` or no structure tree).', example: 'source/x.md:1:1 error The PDF is not tagged: screen readers get no structure (headings, lists, tables) and no reading order. (pdf-tagged)' },
  { id: 'pdf-title', category: 'accessibility', severity: 'error', finds: 'A PDF without a title, or that does not ask viewers to show it in their title bar (`/DisplayDocTitle`).', example: 'source/x.md:1:1 error The PDF does not ask viewers to show its title: they show the file name instead (/DisplayDocTitle). (pdf-title)' },
  { id: 'pdf-language', category: 'accessibility', severity: 'error', finds: 'A PDF without a document language (`/Lang`).', example: 'source/x.md:1:1 error The PDF has no document language (/Lang): screen readers cannot pick a voice. (pdf-language)' },
  { id: 'pdf-figure-alt', category: 'accessibility', severity: 'error', finds: 'A Figure in the PDF\'s structure tree without alternative text (`/Alt`).', example: 'source/x.md:1:1 error Figure 3 in the PDF has no alternative text. (pdf-figure-alt)' },
  { id: 'pdf-artifacts', category: 'accessibility', severity: 'error', finds: 'Marks on a page that are neither tagged content nor artifacts. Chromium leaves the running header and footer, backgrounds and CSS-generated marks so; brief marks them as artifacts itself, and this rule proves it did.', example: 'source/x.md:1:1 error The PDF has 12 marks that are neither tagged content nor artifacts (pages 1, 2). (pdf-artifacts)' },
  { id: 'pdf-heading-order', category: 'accessibility', severity: 'warning', finds: 'A heading in the PDF\'s structure tree that skips a level (H2 then H4). Left out where heading-skip already says so.', example: 'source/x.md:14:1 warning In the PDF\'s structure, heading "Details" (H4) follows an H2: readers navigating by heading miss a level. (pdf-heading-order)' },
  { id: 'brand-contrast', category: 'accessibility', severity: 'error', finds: 'A brand color of brief.config.yaml (`brand.colors`) with less than 4.5:1 contrast on white (WCAG AA): templates set headings, links and labels in it.', example: 'brief.config.yaml:5:14 error brand.colors.accent "#f4a6b8" has a contrast of 1.93:1 on white, under the 4.5:1 that text needs (WCAG AA): headings, links and labels in it are hard to read. Choose a darker color. (brand-contrast)' },
];

/**
 * Warnings of the build itself (not checks), which `ignore:` can silence too. Errors cannot be
 * silenced: a brief with errors is not written.
 */
export const BUILD_WARNINGS: { id: string; finds: string }[] = [
  { id: 'unsupported-selector', finds: 'A selector in the template\'s CSS that sets a font but that brief\'s font subsetting cannot evaluate (::first-letter, :nth-child(… of S)…): the fonts it may select keep every character of the page.' },
  { id: 'unsafe-html', finds: 'Raw HTML the sanitizer removed (scripts, iframes, event handlers, style and other attributes, classes), each kind once with the lines of the others.' },
  { id: 'unsafe-url', finds: 'A link or image address with a scheme that runs or leaks (javascript:, data: that is not an image, file:…), removed.' },
  { id: 'remote-image', finds: 'A remote image not fetched (its host is not in allow_remote) or that failed to load.' },
  { id: 'outside-project', finds: 'An image outside the brief\'s folder and templates/, not read.' },
  { id: 'limit-image-size', finds: 'An image over limits.max_image_bytes, not embedded.' },
  { id: 'chart-name', finds: 'A chart with neither a description in its spec nor a caption: it has no text alternative.' },
  { id: 'chart-spec', finds: 'What Vega-Lite warns about in a chart\'s spec (as errors: a spec that cannot be read or drawn, an unknown mark).' },
  { id: 'crossref-label', finds: 'A {#…} label block that cannot be read, kept as text (as errors: a label with the wrong prefix for what it labels).' },
  { id: 'unknown-directive', finds: 'A ::: block, callout type or GitHub alert type brief does not know.' },
  { id: 'no-front-matter', finds: 'A brief without front matter: says where its title came from (its first heading, or its file name) and how to set it.' },
  { id: 'image-size', finds: 'An image size ({width=…}, {height=…}) that is not a length, or another image attribute, ignored.' },
  { id: 'duplicate-key-points', finds: 'A second :::key-points block.' },
  { id: 'front-matter-yaml', finds: 'A YAML tag in the front matter, read as plain text; or "#" right before a word after a value (`title: Item #1`), which YAML reads as a comment and drops.' },
  { id: 'unknown-rule', finds: 'An id in ignore: that is no rule of brief\'s.' },
  { id: 'unknown-config-field', finds: 'A field of brief.config.yaml the schema does not know.' },
  { id: 'blocked-request', finds: 'Something the page asked to load from outside, refused.' },
  { id: 'page-error', finds: 'An error the page reported while printing (trusted HTML only).' },
  { id: 'print-retried', finds: 'Chrome failed once while printing; the brief was printed again.' },
  { id: 'citation-key', finds: 'A [@key] citation in a brief without bibliography:, or a bibliography nothing cites (a key not in the bibliography is an error).' },
  { id: 'bibliography', finds: 'A key defined twice in the bibliography, or a bibliography file without entries (an unreadable one is an error).' },
];

/** A rule by id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id);
}

/** Whether brief reports messages under this id (a check rule, a build warning, or `axe/<axe rule id>`). */
export function isKnownRule(id: string): boolean {
  if (id.startsWith(AXE_PREFIX)) return axeRuleIds().includes(id.slice(AXE_PREFIX.length));
  return RULES.some((rule) => rule.id === id) || BUILD_WARNINGS.some((rule) => rule.id === id);
}

/** `ignore: [axe/landmark-unique]` silences one of axe-core's rules, not every accessibility message. */
const AXE_PREFIX = 'axe/';

/**
 * Whether an ignore id silences a message: a rule id matches its messages; `axe/<id>` matches the
 * axe messages of that axe rule, whose reason starts "axe <id>" (audit-handout.ts writes it so, and
 * the manifest replays the reason as it was written).
 */
function silences(id: string, message: VFileMessage): boolean {
  if (!id.startsWith(AXE_PREFIX)) return message.ruleId === id;
  const axeRule = id.slice(AXE_PREFIX.length);
  return message.ruleId === 'axe' && (message.reason.startsWith(`axe ${axeRule} `) || message.reason.startsWith(`axe ${axeRule}:`));
}

let axeRules: string[] | undefined;

/** axe-core's rule ids, read from the installed axe-core (only when an ignore list names one). */
function axeRuleIds(): string[] {
  axeRules ??= (createRequire(join(TOOL_ROOT, 'package.json'))('axe-core') as { getRules(): { ruleId: string }[] }).getRules().map((rule) => rule.ruleId);
  return axeRules;
}

/**
 * Drops the messages of the rules a brief's `ignore:` and brief.config.yaml's name (never an
 * error that stopped the build), and warns about ids in the brief's list that are no rule.
 */
export function silenceIgnored(file: VFile, fromConfig: readonly string[]): void {
  const fromBrief = file.data.matter?.ignore ?? [];
  warnUnknownRules(file, fromBrief, file.data.frontMatter);
  const ignored = [...new Set([...fromConfig, ...fromBrief])];
  if (ignored.length === 0) return;
  file.messages = file.messages.filter((message) => message.fatal === true || !message.ruleId || !ignored.some((id) => silences(id, message)));
}

/**
 * A warning for each id in an `ignore:` list that names no rule (a typo silences nothing), at the
 * id's place in the YAML it was read from.
 */
export function warnUnknownRules(file: VFile, ids: readonly string[], yaml: PositionedYaml | undefined): void {
  const known = [...RULES.map((rule) => rule.id), ...BUILD_WARNINGS.map((rule) => rule.id)];
  ids.forEach((id, index) => {
    if (isKnownRule(id)) return;
    const hint = id.startsWith(AXE_PREFIX) ? closest(id, axeRuleIds().map((rule) => `${AXE_PREFIX}${rule}`)) : closest(id, known);
    report(file, 'warning', `ignore: "${id}" is not a rule of brief's, so it silences nothing.${hint ? ` Did you mean "${hint}"?` : ''}`, 'unknown-rule', yaml?.locate(['ignore', index]));
  });
}
