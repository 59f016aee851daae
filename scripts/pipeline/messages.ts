import { relative } from 'node:path';
import type { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';

/** A position in a brief: 1-based line and column, as editors show them. */
export interface Point {
  line: number;
  column: number;
}

/** A span in a brief; `end` is optional for problems at one spot. */
export interface Place {
  start: Point;
  end?: Point;
}

type Severity = 'error' | 'warning';

/**
 * Records a problem on a brief's VFile. Errors (`fatal: true`) stop that brief after the current
 * stage; warnings are reported and the build goes on. `rule` is the stable id in parentheses.
 */
export function report(file: VFile, severity: Severity, reason: string, rule: string, place?: Place | Point): VFileMessage {
  const message = file.message(reason, { place: place ? toPlace(place) : undefined, ruleId: rule, source: 'brief' });
  message.fatal = severity === 'error';
  return message;
}

/** True once any error has been recorded on the file. */
export function hasErrors(file: VFile): boolean {
  return file.messages.some((message) => message.fatal === true);
}

/** One message as `file:line:col severity message (rule)`, the path relative to `cwd`. */
export function formatMessage(message: VFileMessage, cwd: string): string {
  return formatLine({
    file: message.file ? relative(cwd, message.file) || message.file : '<input>',
    line: message.line ?? 1,
    column: message.column ?? 1,
    severity: message.fatal === true ? 'error' : message.fatal === false ? 'warning' : 'info',
    message: message.reason,
    rule: message.ruleId ?? null,
  });
}

/** The one shape of a message line, for the build's messages and the check's alike. */
export function formatLine(parts: { file: string; line: number; column: number; severity: string; message: string; rule: string | null }): string {
  return `${parts.file}:${parts.line}:${parts.column} ${parts.severity} ${parts.message}${parts.rule ? ` (${parts.rule})` : ''}`;
}

/** Messages in file order: by line, then column. */
export function sortedMessages(file: VFile): VFileMessage[] {
  return [...file.messages].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function toPlace(place: Place | Point): { start: Point; end: Point } | Point {
  return 'start' in place ? { start: place.start, end: place.end ?? place.start } : place;
}

/** One problem of a kind that may repeat: reported once per kind. */
export interface Finding {
  /** What makes two findings the same problem (a tag name, an attribute, a host). */
  kind: string;
  reason: string;
  place?: Point;
}

/**
 * Reports each kind of finding once, at its first place, saying on which other lines it
 * happens too: twenty `style` attributes or badge images are one message, not twenty.
 */
export function reportOnce(file: VFile, severity: Severity, rule: string, findings: Finding[]): void {
  const groups = new Map<string, { first: Finding; lines: number[] }>();
  for (const finding of findings) {
    const group = groups.get(finding.kind);
    if (!group) groups.set(finding.kind, { first: finding, lines: [] });
    else if (finding.place) group.lines.push(finding.place.line);
  }
  for (const { first, lines } of groups.values()) {
    const others = [...new Set(lines)].filter((line) => line !== first.place?.line);
    const repeats = lines.length;
    const also = repeats === 0 ? '' : ` The same for ${repeats} more${others.length > 0 ? `, on line${others.length === 1 ? '' : 's'} ${others.slice(0, 8).join(', ')}${others.length > 8 ? ', …' : ''}` : ''}.`;
    report(file, severity, first.reason + also, rule, first.place);
  }
}
