import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type CliResult, type TempProject } from './helpers/project.ts';

/**
 * Each message is placed where the thing it is about was written, found in the parsed trees
 * (the body's hast, the front matter's YAML document), never by searching the source text: here
 * every address, id and link is first written somewhere else, as text, to catch a text search.
 */
const TRUSTED = `---
title: "Places: where things were written"
unsafe_html: true
---

The frame's address, \`http://127.0.0.1:9/frame\`, and its tag, \`id="aside"\`, written as code first.
Code that reads \`](#nowhere)\` is not a link.

<iframe src="http://127.0.0.1:9/frame" title="frame"></iframe>

<p id="aside">One.</p>

<p id="aside">Two.</p>

A link [to nowhere](#nowhere) and \\*escaped\\* text with a note[^9].
`;

let project: TempProject;
let result: CliResult;
const lines = () => result.stderr.split('\n').filter((line) => line.startsWith('source/'));

beforeAll(async () => {
  project = await createProject({ 'source/trusted.md': TRUSTED });
  result = await project.run(['build']);
});
afterAll(async () => {
  await project?.remove();
});

describe('messages placed from the trees', () => {
  it('places a request Chrome blocked at the attribute that asked for it', () => {
    expect(lines()).toContain('source/trusted.md:9:14 warning Blocked a request for http://127.0.0.1:9/frame (document): briefs load nothing from outside. (blocked-request)');
  });

  it('places an id used twice at the element that repeats it', () => {
    expect(lines()).toContain('source/trusted.md:13:1 warning The id "aside" is used twice in the handout, so links to it are ambiguous. (duplicate-id)');
  });

  it('places a #link to nowhere at the link, not at text that looks like one', () => {
    expect(lines()).toContain('source/trusted.md:15:8 warning Link "#nowhere" goes nowhere: no heading or element has the id "nowhere". (broken-link)');
  });

  it('places a footnote reference without a note where it is written, escapes before it counted', () => {
    expect(lines()).toContain('source/trusted.md:15:63 warning Footnote [^9] has no note: add "[^9]: …" at the end. (broken-footnote)');
  });
});
