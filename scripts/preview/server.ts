import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { SetupError } from '../errors.ts';

/** What the preview shows of one brief. */
export interface BriefState {
  /** Path of the brief without extension, relative to its base: "asia/japan". */
  id: string;
  title: string;
  source: string;
  /** Output paths relative to the output folder, when written. */
  html: string | null;
  pdf: string | null;
  status: 'built' | 'failed' | 'up-to-date';
  /** Problems of the last build, as file:line:col severity message (rule). */
  messages: string[];
  /** When its outputs last changed (ms since epoch): the preview reloads when this moves. */
  version: number;
}

export interface PreviewServer {
  url: string;
  /** Records a brief's new state and tells every open preview page. */
  update(state: BriefState): void;
  /** Forgets a brief whose source is gone, and tells every open preview page. */
  remove(id: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * The preview server of watch mode, on 127.0.0.1 only: `/` lists the briefs, `/preview/<id>` shows
 * one as HTML or as its PDF and reloads by itself when it is rebuilt (server-sent events on
 * `/events`), and shows the errors of a failed build above the last good output.
 * `/output/…` serves the output folder and nothing outside it.
 */
export async function startPreviewServer(options: { port: number; outDir: string }): Promise<PreviewServer> {
  const briefs = new Map<string, BriefState>();
  const clients = new Set<ServerResponse>();
  const outDir = resolve(options.outDir);

  const server = createServer(async (request, response) => {
    let path: string;
    try {
      // Only the path is used: a request line such as "//[" must not be read as a host.
      path = decodeURIComponent(new URL(`http://127.0.0.1${(request.url ?? '/').startsWith('/') ? '' : '/'}${request.url ?? '/'}`).pathname);
    } catch {
      // A broken %-escape (a truncated link, a scanner) is the client's mistake: never the server's end.
      return send(response, 400, 'text/plain; charset=utf-8', 'Bad request: the address is malformed (a broken %-escape?).');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain; charset=utf-8', 'Method not allowed');
    if (path === '/') return send(response, 200, TYPES['.html']!, indexPage([...briefs.values()]));
    if (path === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write('retry: 500\n\n');
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    if (path.startsWith('/preview/')) {
      const brief = briefs.get(path.slice('/preview/'.length));
      return brief ? send(response, 200, TYPES['.html']!, previewPage(brief)) : send(response, 404, 'text/plain; charset=utf-8', 'No such brief');
    }
    if (path.startsWith('/output/')) {
      const file = resolve(outDir, `.${path.slice('/output'.length)}`);
      const info = file.startsWith(outDir + sep) ? await stat(file).catch(() => undefined) : undefined;
      if (!info?.isFile()) return send(response, 404, 'text/plain; charset=utf-8', 'Not found');
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store' });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file).pipe(response);
      return;
    }
    send(response, 404, 'text/plain; charset=utf-8', 'Not found');
  });

  await new Promise<void>((listening, failed) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      failed(error.code === 'EADDRINUSE' ? new SetupError(`Port ${options.port} is in use. Pass --port N to preview on another port.`, 'port-in-use') : error),
    );
    server.listen(options.port, '127.0.0.1', () => listening());
  });
  const ping = setInterval(() => {
    for (const client of clients) client.write(': ping\n\n');
  }, 15_000).unref();

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    update(state) {
      briefs.set(state.id, state);
      const data = `event: brief\ndata: ${JSON.stringify(state)}\n\n`;
      for (const client of clients) client.write(data);
    },
    remove(id) {
      if (!briefs.delete(id)) return;
      const data = `event: removed\ndata: ${JSON.stringify({ id })}\n\n`;
      for (const client of clients) client.write(data);
    },
    async close() {
      clearInterval(ping);
      for (const client of clients) client.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

const STYLE = `body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#1b1f24;background:#f3f5f8}
header{display:flex;gap:1rem;align-items:center;padding:.5rem 1rem;background:#12355b;color:#fff}
header a{color:#fff}header nav{display:flex;gap:.25rem}
button{font:inherit;padding:.2rem .7rem;border:1px solid #fff;background:transparent;color:#fff;border-radius:3px;cursor:pointer}
button[aria-pressed=true]{background:#fff;color:#12355b}
#status{margin-left:auto;font-size:.9em}
.problems{margin:0;padding:.6rem 1rem;background:#fbeaea;color:#8a1c1c;font:13px/1.5 ui-monospace,monospace;white-space:pre-wrap}
iframe{display:block;width:100%;height:calc(100vh - 2.7rem);border:0;background:#fff}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d5dbe3}.failed{color:#8a1c1c;font-weight:600}`;

function indexPage(briefs: BriefState[]): string {
  const rows = briefs
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(
      (brief) =>
        `<tr><td><a href="/preview/${escape(brief.id)}">${escape(brief.title)}</a></td><td>${escape(brief.source)}</td>` +
        `<td>${brief.html ? `<a href="/output/${escape(brief.html)}">HTML</a>` : ''} ${brief.pdf ? `<a href="/output/${escape(brief.pdf)}">PDF</a>` : ''}</td>` +
        `<td class="${brief.status}">${brief.status === 'failed' ? `${brief.messages.filter((line) => line.includes(' error ')).length} error(s)` : brief.status}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>brief preview</title><style>${STYLE}</style></head>
<body><header><strong>brief preview</strong><span id="status">watching for changes</span></header>
<main><table><thead><tr><th>Brief</th><th>Source</th><th>Outputs</th><th>Last build</th></tr></thead><tbody>
${rows || '<tr><td colspan="4">No briefs yet.</td></tr>'}
</tbody></table></main>
<script>new EventSource('/events').addEventListener('brief', () => location.reload());</script>
</body></html>`;
}

function previewPage(brief: BriefState): string {
  const state = JSON.stringify(brief).replace(/</g, '\\u003c');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(brief.title)} · brief preview</title><style>${STYLE}</style></head>
<body><header><a href="/">All briefs</a><strong id="title">${escape(brief.title)}</strong>
<nav aria-label="View"><button data-view="html">HTML</button><button data-view="pdf">PDF</button></nav><span id="status"></span></header>
<pre class="problems" id="problems" hidden></pre>
<iframe id="frame" title="${escape(brief.title)}"></iframe>
<script>
let brief = ${state};
let view = location.hash === '#pdf' ? 'pdf' : 'html';
const frame = document.getElementById('frame');
function show() {
  for (const button of document.querySelectorAll('button[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === view));
  const file = view === 'pdf' ? brief.pdf : brief.html;
  const src = file ? '/output/' + file + '?v=' + brief.version : 'about:blank';
  if (frame.getAttribute('src') !== src) frame.setAttribute('src', src);
  const problems = document.getElementById('problems');
  problems.hidden = brief.messages.length === 0;
  problems.textContent = brief.messages.join('\\n');
  document.getElementById('status').textContent = brief.status === 'failed' ? 'last build failed: showing the last good output' : 'built ' + new Date(brief.version).toLocaleTimeString();
}
for (const button of document.querySelectorAll('button[data-view]')) button.addEventListener('click', () => { view = button.dataset.view; location.hash = view; show(); });
new EventSource('/events').addEventListener('brief', (event) => {
  const next = JSON.parse(event.data);
  if (next.id !== brief.id) return;
  brief = next;
  show();
});
show();
</script>
</body></html>`;
}
