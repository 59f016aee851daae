import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
import puppeteer from 'puppeteer';
import { readFileSync } from 'node:fs';
import { CHROME_ARGS } from './node_modules/.cache/brief/cli/chunk-V7RRNZ5K.mjs';
const hz = 100;
const cpuOf = (pid) => { const s = readFileSync('/proc/' + pid + '/stat', 'utf8'); const r = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(r[11]) + Number(r[12])) / hz; };
const tree = () => { let t = 0; for (const p of readFileSync('/proc/' + b.process().pid + '/task/' + b.process().pid + '/children', 'utf8').trim().split(' ').filter(Boolean)) t += 0; return t; };
const raw = process.argv[4] === 'raw'; const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: CHROME_ARGS, pipe: true, networkEnabled: !raw });
const bp = b.process().pid;
const p = process.argv[2] === 'incognito' ? await (await b.createBrowserContext()).newPage() : (await b.pages())[0];
await p.setJavaScriptEnabled(false);
const session0 = await p.createCDPSession();
if (raw) { await session0.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] }); session0.on('Fetch.requestPaused', (e) => { const u = e.request.url; if (u.startsWith('https://brief-1.invalid/') && e.resourceType === 'Document') session0.send('Fetch.fulfillRequest', { requestId: e.requestId, responseCode: 200, responseHeaders: [{ name: 'content-type', value: 'text/html; charset=utf-8' }], body: Buffer.from(body).toString('base64') }); else if (u.startsWith('data:')) session0.send('Fetch.continueRequest', { requestId: e.requestId }); else session0.send('Fetch.failRequest', { requestId: e.requestId, errorReason: 'BlockedByClient' }); }); } else await p.setRequestInterception(true);
const html = readFileSync(process.argv[3] ?? '/tmp/cold/output/us-japan-relations.html', 'utf8');
let body = html;
if (!raw) p.on('request', (r) => r.url().startsWith('https://brief-1.invalid/') && r.isNavigationRequest() ? r.respond({ status: 200, contentType: 'text/html', body }) : r.url().startsWith('data:') ? r.continue() : r.abort('blockedbyclient'));
const session = await p.createCDPSession();
const N = 15;
await p.goto('https://brief-1.invalid/warm.html', { waitUntil: 'load' });
for (const mode of ['navigate', 'navigate']) {
  const c0 = cpuOf(bp); const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (mode !== 'print-only') await p.goto('https://brief-1.invalid/d' + i + '.html', { waitUntil: 'load' });
    if (mode !== 'navigate') await session.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: true, generateTaggedPDF: true, generateDocumentOutline: true, transferMode: 'ReturnAsBase64' });
  }
  console.log(mode, 'browser cpu ms/iter', ((cpuOf(bp) - c0) * 1000 / N).toFixed(1), 'wall', ((performance.now() - t0) / N).toFixed(1), 'html KB', (html.length / 1024).toFixed(0));
}
const threads = (pid) => { const out = {}; for (const t of require('node:fs').readdirSync('/proc/' + pid + '/task')) { try { const st = readFileSync('/proc/' + pid + '/task/' + t + '/stat', 'utf8'); const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')).replace(/\d+/g, '#'); const r = st.slice(st.lastIndexOf(')') + 2).split(' '); out[name] = (out[name] ?? 0) + (Number(r[11]) + Number(r[12])) * 10; } catch {} } return out; };
const t0 = threads(bp);
for (let i = 0; i < 15; i++) await p.goto('https://brief-1.invalid/e' + i + '.html', { waitUntil: 'load' });
const t1 = threads(bp);
console.log(Object.entries(t1).map(([k, v]) => [k, (v - (t0[k] ?? 0)) / 15]).filter(([, v]) => v > 0.5).sort((a, b) => b[1] - a[1]).map(([k, v]) => k + ' ' + v.toFixed(1)).join(' | '));
await b.close();
