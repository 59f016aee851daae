import { stringify } from 'yaml';
import * as z from 'zod';
import { BUILD_WARNINGS, RULES } from './pipeline/rules.ts';
import { briefMatterSchema, configSchema } from './pipeline/schema.ts';

type JsonSchema = {
  type?: string;
  description?: string;
  default?: unknown;
  example?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/**
 * The README's reference tables, made from the schema itself (scripts/pipeline/schema.ts), so the
 * documentation cannot drift from what the validator accepts. `npm run docs` writes them into
 * README.md between the `<!-- name:start -->` and `<!-- name:end -->` markers; a test checks
 * that the README holds the current text.
 */
export function referenceTables(): Record<string, string> {
  return {
    'front-matter': table(z.toJSONSchema(briefMatterSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
    config: table(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema),
    rules: rulesList(),
    'build-warnings': ['| Rule | Warns about |', '|---|---|', ...BUILD_WARNINGS.map((rule) => `| \`${rule.id}\` | ${escape(rule.finds)} |`)].join('\n'),
  };
}

/** Every rule of npm run check, by category: what it finds, and a message it gives. */
function rulesList(): string {
  const names = { content: 'Content', layout: 'Layout (measured in Chromium on the printed layout)', accessibility: 'Accessibility' } as const;
  return (['content', 'layout', 'accessibility'] as const)
    .map((category) => [`**${names[category]}**`, '', ...RULES.filter((rule) => rule.category === category).map((rule) => `- \`${rule.id}\` (${rule.severity}): ${rule.finds}\n  \`${rule.example}\``)].join('\n'))
    .join('\n\n');
}

function table(schema: JsonSchema): string {
  const rows = ['| Field | Type | Description | Example |', '|---|---|---|---|'];
  const add = (name: string, field: JsonSchema, required: boolean) => {
    const example = field.example === undefined ? '' : `\`${inlineYaml(field.example)}\``;
    rows.push(`| \`${name}\`${required ? ' (required)' : ''} | ${typeOf(field)} | ${escape(field.description ?? '')} | ${example} |`);
    const inner = field.type === 'array' ? field.items : field;
    for (const [child, sub] of Object.entries(inner?.properties ?? {})) add(`${name}${field.type === 'array' ? '[].' : '.'}${child}`, sub, (inner?.required ?? []).includes(child) && field.type !== 'object');
  };
  for (const [name, field] of Object.entries(schema.properties ?? {})) add(name, field, (schema.required ?? []).includes(name));
  return rows.join('\n');
}

function typeOf(field: JsonSchema): string {
  if (field.enum) return field.enum.map((value) => `\`${String(value)}\``).join(' or ');
  if (field.anyOf) return [...new Set(field.anyOf.map(typeOf))].join(' or ');
  if (field.type === 'array') return field.items?.type === 'object' ? 'list of mappings' : 'list of text';
  return ({ string: 'text', boolean: 'true/false', integer: 'number', number: 'number', object: 'mapping' } as Record<string, string>)[field.type ?? ''] ?? 'any';
}

function inlineYaml(value: unknown): string {
  return stringify(value, { flowCollectionPadding: false, collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

/** README text with each generated section replaced by its current content. */
export function updateReadme(readme: string): string {
  let text = readme;
  for (const [name, content] of Object.entries(referenceTables())) {
    const pattern = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!pattern.test(text)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> section.`);
    text = text.replace(pattern, (_, start: string, end: string) => `${start}\n${content}\n${end}`);
  }
  return text;
}
