import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { loadConfig } from '../scripts/pipeline/config.ts';
import { describe, expect, it } from 'vitest';
import { readFrontMatter } from '../scripts/pipeline/front-matter.ts';
import { formatMessage } from '../scripts/pipeline/messages.ts';
import { silenceIgnored } from '../scripts/pipeline/rules.ts';
import { splitFrontMatter } from '../scripts/pipeline/split-front-matter.ts';
import { templateFor } from '../scripts/pipeline/template.ts';

function parse(text: string) {
  const file = new VFile({ path: '/project/source/x.md', value: text });
  const matter = readFrontMatter(file);
  return { matter, messages: file.messages.map((message) => formatMessage(message, '/project')) };
}

describe('front matter', () => {
  it('validates and fills defaults', () => {
    const { matter, messages } = parse('---\ntitle: Hello\ndate: 2009-09\n---\nBody');
    expect(messages).toEqual([]);
    expect(matter).toMatchObject({ title: 'Hello', date: '2009-09', lang: 'en', keywords: [], key_points: [] });
  });

  it('names the file, line, column, key, what was found and what is expected', () => {
    const { matter, messages } = parse('---\ntitle: Hello\ndate: Sept 2009\n---\n');
    expect(matter).toBeUndefined();
    expect(messages).toEqual(['source/x.md:3:7 error Front-matter field "date" is "Sept 2009"; expected a date as YYYY-MM-DD or YYYY-MM, such as 2009-09-30. (front-matter-field)']);
  });

  it('reports a missing title', () => {
    expect(parse('---\nlang: en\n---\n').messages).toEqual(['source/x.md:2:1 error Front-matter field "title" is missing; expected text. (front-matter-field)']);
  });

  it('reports a wrong type inside a list with its index', () => {
    const { messages } = parse('---\ntitle: T\nkey_points:\n  - fine\n  - [nested]\n---\n');
    expect(messages).toEqual(['source/x.md:5:5 error Front-matter field "key_points[1]" is a list; expected text. (front-matter-field)']);
  });

  it('rejects an impossible date', () => {
    expect(parse('---\ntitle: T\ndate: 2009-02-30\n---\n').messages[0]).toMatch(/^source\/x\.md:3:7 error .*expected a real calendar date/);
  });

  it('warns about an unknown field and suggests the likely one', () => {
    const { matter, messages } = parse('---\ntitle: T\nsumary: oops\n---\n');
    expect(matter?.title).toBe('T');
    expect(messages).toEqual(['source/x.md:3:1 warning Unknown front-matter field "sumary" is ignored. Did you mean "summary"? (unknown-field)']);
  });

  it('reads a file without front matter as plain Markdown, titled later from its heading or file name', () => {
    const { matter, messages } = parse('# Just text\n');
    expect(messages).toEqual([]);
    expect(matter?.title).toBe('X');
  });

  // "---js" is refused in a real build, with code that would leave a file behind, in hostile.test.ts.
  it.each(['---javascript', '--- js', '+++', ';;;'])('refuses the %s front-matter engine without running it', (fence) => {
    const { matter, messages } = parse(`${fence}\n{ title: (function(){ throw new Error('ran') })() }\n${fence}\n`);
    expect(matter).toBeUndefined();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^source\/x\.md:1:1 error Front matter must be YAML between two "---" lines; ".*" asks for another format or engine, which brief does not run\. \(front-matter-engine\)$/);
  });

  it('reports an unclosed block', () => {
    expect(parse('---\ntitle: T\n').messages[0]).toMatch(/front matter is never closed.*\(front-matter-unclosed\)$/);
  });

  it('stops alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    const { matter, messages } = parse(`---\ntitle: T\n${bomb.join('\n')}\n---\n`);
    expect(matter).toBeUndefined();
    expect(messages).toEqual(['source/x.md:2:1 error YAML: Excessive alias count indicates a resource exhaustion attack (more than 100 alias expansions). (front-matter-yaml)']);
  });

  it('cannot pollute prototypes', () => {
    const { matter, messages } = parse('---\ntitle: T\n__proto__: { polluted: true }\nconstructor: { prototype: { polluted: true } }\n---\n');
    expect(matter?.title).toBe('T');
    expect(messages.map((message) => message.split(' is ignored')[0])).toEqual(['source/x.md:3:1 warning Unknown front-matter field "__proto__"', 'source/x.md:4:1 warning Unknown front-matter field "constructor"']);
    expect(Object.keys(matter!)).not.toContain('__proto__');
    expect((matter as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(matter)).toBe(Object.prototype);
  });

  // YAML tags (!!js/function, !!binary, !!timestamp) are read as text with a warning at each tag,
  // in a real build whose handout shows the text, in hostile.test.ts ("front matter is YAML only").
});

describe('splitting front matter from the body (one function for every reader)', () => {
  it('splits at the first closing fence, with LF or CRLF line ends, "..." or trailing spaces', () => {
    expect(splitFrontMatter('---\ntitle: T\n---\nBody\n---\nMore')).toEqual({ kind: 'yaml', yaml: 'title: T\n', yamlOffset: 4, lines: 3, body: 'Body\n---\nMore', bodyOffset: 17 });
    expect(splitFrontMatter('---\r\ntitle: T\r\n... \t\r\nBody')).toMatchObject({ kind: 'yaml', yaml: 'title: T\r\n', body: 'Body' });
    expect(splitFrontMatter('---\n---\n')).toMatchObject({ kind: 'yaml', yaml: '', lines: 2, body: '' });
  });

  it('tells no front matter, another engine and an unclosed block apart', () => {
    expect(splitFrontMatter('# Title\n---\n')).toEqual({ kind: 'none' });
    expect(splitFrontMatter('---js\n{}\n---\n')).toEqual({ kind: 'engine', fence: '---js' });
    expect(splitFrontMatter('+++\ntitle = "T"\n+++\n')).toEqual({ kind: 'engine', fence: '+++' });
    expect(splitFrontMatter('---\ntitle: T\n')).toEqual({ kind: 'unclosed' });
    expect(splitFrontMatter('---')).toEqual({ kind: 'unclosed' });
    expect(splitFrontMatter('---\ntitle: T\n----\n')).toEqual({ kind: 'unclosed' });
  });
});

describe('places in front matter come from the parsed YAML document', () => {
  it('reports a template that does not exist at its value, quoted or not', async () => {
    for (const [line, column] of [['template: "annual-report"', 11], ["template:   'annual-report'  # ours", 13]] as const) {
      const file = new VFile({ path: '/project/source/x.md', value: `---\ntitle: T\n${line}\n---\nText.\n` });
      const matter = readFrontMatter(file);
      expect(matter?.template).toBe('annual-report');
      expect(await templateFor(new Map(), '/nowhere/templates', 'annual-report', file)).toBeUndefined();
      expect(file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual([`3:${column} unknown-template`]);
    }
  });

  it('reports an id in brief.config.yaml\'s ignore: that names no rule at the id', async () => {
    const root = await mkdtemp(join(tmpdir(), 'brief-config-'));
    try {
      await writeFile(join(root, 'brief.config.yaml'), '# heading-skp is a typo\nignore: [overflow, heading-skp]\n');
      const { file } = await loadConfig(root);
      expect(file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['2:20 unknown-rule']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports an id in ignore: that names no rule at the id, even where the id is also written elsewhere', () => {
    const file = new VFile({ path: '/project/source/x.md', value: '---\ntitle: overflow and heading-skp\nignore:\n  - overflow\n  - heading-skp\n---\nText.\n' });
    file.data.matter = readFrontMatter(file);
    silenceIgnored(file, []);
    expect(file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['5:5 unknown-rule']);
  });
});


describe('YAML mistakes, in words a writer acts on', () => {
  it('says to quote a value with a colon in it, at the value, with the line to write', () => {
    expect(parse('---\ntitle: Working in the Heat: A Primer\ndate: 2024-01-01\n---\n').messages).toEqual([
      'source/x.md:2:8 error The value of "title" holds ": ", which YAML reads as the start of another field. Put the whole value in quotes: title: "Working in the Heat: A Primer" (front-matter-yaml)',
    ]);
  });

  it('says to quote a list item that YAML took for a mapping', () => {
    expect(parse('---\ntitle: T\nkey_points:\n  - Heat: what to do\n---\n').messages).toEqual([
      'source/x.md:4:5 error Front-matter field "key_points[0]" is a mapping; expected text. If ": " belongs to the text, put it in quotes: "Heat: what to do". (front-matter-field)',
    ]);
  });

  it('points at each line indented with a tab', () => {
    expect(parse('---\ntitle: T\nkey_points:\n\t- one\n\t- two\n---\n').messages).toEqual([
      'source/x.md:4:1 error This line is indented with a tab; YAML takes only spaces. Indent with spaces instead (two for each level). (front-matter-yaml)',
      'source/x.md:5:1 error This line is indented with a tab; YAML takes only spaces. Indent with spaces instead (two for each level). (front-matter-yaml)',
    ]);
  });

  it('points at the quote left open, not at the end of the front matter', () => {
    expect(parse('---\ntitle: T\nsummary: "Working in the Heat\nlang: en\n---\n').messages).toEqual([
      'source/x.md:3:10 error The quote " that opens the value of "summary" is never closed, so the lines after it are read into it. Close it at the end of the value: summary: "Working in the Heat" (front-matter-yaml)',
    ]);
  });

  it('names a key given twice and where it first was', () => {
    expect(parse('---\ntitle: A\nlang: en\ntitle: B\n---\n').messages).toEqual([
      'source/x.md:4:1 error Field "title" is given twice (first on line 2): a field may appear once. Keep the one you mean and delete the other. (front-matter-yaml)',
    ]);
  });

  it('says to quote a value that starts with a reserved character or runs past its quotes', () => {
    expect(parse('---\ntitle: @home\n---\n').messages).toEqual(['source/x.md:2:8 error A value cannot start with "@" in YAML. Put it in quotes: title: "@home" (front-matter-yaml)']);
    expect(parse("---\ntitle: 'Heat' and more\n---\n").messages).toEqual([
      'source/x.md:2:8 error The value of "title" starts with a quote, so it ends at the closing quote, yet more text follows. Put the whole value in quotes: title: "\'Heat\' and more" (front-matter-yaml)',
    ]);
  });

  it('points at a [list] left open and at a list item out of line', () => {
    expect(parse('---\ntitle: T\nkeywords: [a, b\n---\n').messages).toEqual(['source/x.md:3:11 error This list in brackets is never closed: end it with "]" on the same line, as in [one, two]. (front-matter-yaml)']);
    expect(parse('---\ntitle: T\nkey_points:\n  - one\n - two\n---\n').messages).toEqual([
      'source/x.md:5:1 error This line is indented unlike the lines around it: the items of one list, and the fields of one mapping, start in the same column. (front-matter-yaml)',
    ]);
  });

  it('warns when " #" cuts a value short, and leaves a comment written as one alone', () => {
    const { matter, messages } = parse('---\ntitle: Item #1 of 3\nlang: en # English\n---\n');
    expect(matter?.title).toBe('Item');
    expect(messages).toEqual([
      'source/x.md:2:13 warning "#1 of 3" is read as a YAML comment and left out of the value (" #" starts a comment). If it belongs to the value, put the whole value in quotes: title: "Item #1 of 3" (front-matter-yaml)',
    ]);
  });
});
