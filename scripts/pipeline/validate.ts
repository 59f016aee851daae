import type { VFile } from 'vfile';
import * as z from 'zod';
import { report } from './messages.ts';
import type { PositionedYaml } from './yaml.ts';

export interface ValidateOptions {
  /** "Front-matter field" or "Config field": how messages name a key. */
  noun: string;
  /** Rule id of messages about values. */
  rule: string;
  /** Rule id of the warning about keys the schema does not know. */
  unknownRule: string;
}

/**
 * Checks YAML data against a schema. Each problem becomes an error at the value's position
 * that names the key, what was found and what is expected; keys the schema does not know are
 * warnings with a "did you mean" when one is close. Returns the typed data, or undefined.
 */
export function validate<Schema extends z.ZodObject>(schema: Schema, yaml: PositionedYaml, file: VFile, options: ValidateOptions): z.infer<Schema> | undefined {
  const data = yaml.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    report(file, 'error', `${options.noun}s must be a mapping of "key: value" lines; found ${describe(data)}.`, options.rule, yaml.locate([]).start);
    return undefined;
  }
  warnUnknownKeys(schema, data as Record<string, unknown>, [], yaml, file, options);
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const reported = new Set<string>();
  for (const issue of result.error.issues) {
    const path = issue.path;
    // One message per field: the first problem found is the one to fix.
    const pathKey = JSON.stringify(path);
    if (reported.has(pathKey)) continue;
    reported.add(pathKey);
    const key = path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').slice(1) || '(top level)';
    const found = valueAt(data, path);
    const expected = expectedOf(issue);
    const reason =
      found === undefined
        ? `${options.noun} "${key}" is missing; expected ${expected}.`
        : `${options.noun} "${key}" is ${describe(found)}; expected ${expected}.${colonHint(found, expected)}`;
    report(file, 'error', reason, options.rule, yaml.locate(path));
  }
  return undefined;
}

/** `- Heat: what to do` is a mapping to YAML; where text was meant, say how to keep the colon. */
function colonHint(found: unknown, expected: string): string {
  if (expected !== 'text' || found === null || typeof found !== 'object' || Array.isArray(found)) return '';
  const entries = Object.entries(found);
  if (entries.length !== 1 || typeof entries[0]![1] === 'object') return '';
  const text = `${entries[0]![0]}: ${entries[0]![1] ?? ''}`.trim();
  return ` If ": " belongs to the text, put it in quotes: "${text.replace(/["\\]/g, '\\$&')}".`;
}

function warnUnknownKeys(schema: z.ZodObject, data: Record<string, unknown>, path: PropertyKey[], yaml: PositionedYaml, file: VFile, options: ValidateOptions): void {
  const known = Object.keys(schema.shape);
  for (const key of Object.keys(data)) {
    const fieldPath = [...path, key];
    // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
    const field = Object.hasOwn(schema.shape, key) ? schema.shape[key] : undefined;
    if (field === undefined) {
      const near = closest(key, known);
      const hint = near ? ` Did you mean "${near}"?` : ` Known fields: ${known.join(', ')}.`;
      report(file, 'warning', `Unknown ${options.noun.toLowerCase()} "${fieldPath.join('.')}" is ignored.${hint}`, options.unknownRule, yaml.locateKey(fieldPath));
      continue;
    }
    const inner = unwrap(field);
    const value = data[key];
    if (inner instanceof z.ZodObject && value && typeof value === 'object' && !Array.isArray(value)) {
      warnUnknownKeys(inner, value as Record<string, unknown>, fieldPath, yaml, file, options);
    }
  }
}

/** Strips optional/default wrappers to reach the object schema inside, if any. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
    current = current.unwrap();
  }
  return current;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return typeName(issue.expected);
    case 'invalid_value':
      return `one of: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `a list of at least ${String(issue.minimum)}` : issue.message;
    case 'too_big':
      return issue.origin === 'array' ? `a list of at most ${String(issue.maximum)}` : `at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list ("- item" lines)',
    object: 'a mapping ("key: value" lines)',
  };
  return names[expected] ?? expected;
}

/** How a found value reads in a message: `12 (a number)`, `"Sept 2009"`, `a list`. */
export function describe(value: unknown): string {
  if (value === null) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
  if (typeof value === 'number') return `${value} (a number)`;
  if (typeof value === 'boolean') return `${value} (true/false)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** The known key within edit distance 2 of `key`, if any (did you mean…?). */
export function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
