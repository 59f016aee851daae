/** An attribute block as Pandoc and Quarto write it: `{#fig-gdp .wide caption="Real GDP"}`. */
export interface Attributes {
  id: string | undefined;
  classes: string[];
  values: Record<string, string>;
}

/**
 * Reads an attribute block, braces included: `#id`, `.class` and `key=value` entries separated by
 * spaces, values bare or in double or single quotes (a backslash escapes the quote). Returns the
 * attributes, or a sentence that says what is wrong.
 */
export function parseAttributes(text: string): Attributes | string {
  const source = text.trim();
  if (!source.startsWith('{') || !source.endsWith('}')) return `an attribute block is written in braces, such as {#fig-name caption="…"}`;
  const body = source.slice(1, -1);
  const result: Attributes = { id: undefined, classes: [], values: {} };
  let at = 0;
  const isSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\r';
  const word = () => {
    const start = at;
    while (at < body.length && !isSpace(body[at]) && body[at] !== '=' && body[at] !== '"' && body[at] !== "'") at++;
    return body.slice(start, at);
  };
  while (at < body.length) {
    if (isSpace(body[at])) {
      at++;
      continue;
    }
    const char = body[at]!;
    if (char === '#' || char === '.') {
      at++;
      const name = word();
      if (!name) return `"${char}" must be followed by a name`;
      if (char === '#') {
        if (result.id !== undefined) return `two ids (#${result.id} and #${name}); give one`;
        result.id = name;
      } else result.classes.push(name);
      continue;
    }
    const key = word();
    if (!key) return `unexpected ${JSON.stringify(char)} at character ${at + 2}`;
    if (body[at] !== '=') return `"${key}" needs a value: ${key}="…"`;
    at++;
    const quote = body[at];
    let value = '';
    if (quote === '"' || quote === "'") {
      at++;
      let closed = false;
      while (at < body.length) {
        const next = body[at]!;
        if (next === '\\' && at + 1 < body.length) {
          value += body[at + 1];
          at += 2;
          continue;
        }
        at++;
        if (next === quote) {
          closed = true;
          break;
        }
        value += next;
      }
      if (!closed) return `the value of "${key}" has no closing ${quote}`;
    } else value = word();
    result.values[key] = value;
  }
  return result;
}
