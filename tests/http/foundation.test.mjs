// foundation: what every page and response of `pforte serve` promises - the start page in
// German and English, error pages, request limits, security headers, static files, health,
// process behaviour (SIGTERM, unknown options) and the README's option table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  REPO_ROOT, findByClass, findTags, freePort, headings, rawRequest, runPforte, startServer,
  textOf, useServer,
} from './lib/server.mjs';

const DEMO_TYPES = 6;

/** Asserts the headers every response must carry. */
function assertSecurityHeaders(headers, what) {
  const get = (n) => (typeof headers.get === 'function' ? headers.get(n) : headers[n]);
  const csp = get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy missing`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP lacks frame-ancestors 'none': ${csp}`);
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => [d.split(/\s+/)[0].toLowerCase(), d]));
  const scriptSrc = directives['script-src'] || directives['default-src'];
  assert.ok(scriptSrc, `${what}: CSP has neither script-src nor default-src: ${csp}`);
  assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'/, `${what}: ${scriptSrc}`);
  assert.equal(get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const rp = get('referrer-policy');
  assert.ok(rp, `${what}: Referrer-Policy missing`);
  assert.ok(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']
    .includes(rp), `${what}: weak Referrer-Policy ${rp}`);
}

/** GET with node:http so nothing is added or decoded behind our back. */
function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

/** The type cards of a start page: [{name, attrs, index, text, href}]. */
function typeCards(html) {
  const cards = findByClass(html, 'type-card');
  return cards.map((c, i) => {
    let end = i + 1 < cards.length ? cards[i + 1].index : -1;
    if (end < 0) {
      const close = html.slice(c.index).search(/<\/(ul|ol|section|main)>/i);
      end = close < 0 ? html.length : c.index + close;
    }
    const chunk = html.slice(c.index, end);
    const link = c.name === 'a' ? c.attrs : findTags(chunk, 'a')[0]?.attrs;
    return { ...c, href: link?.href, text: textOf(chunk) };
  });
}

function assetUrls(html) {
  const css = findTags(html, 'link').map((l) => l.attrs)
    .find((a) => /(^|\s)stylesheet(\s|$)/i.test(a.rel || ''))?.href;
  const js = findTags(html, 'script').map((s) => s.attrs.src).find(Boolean);
  return { css, js };
}

function linkTexts(html) {
  return [...html.matchAll(/<a(?=[\s>])[^>]*>([\s\S]*?)<\/a>/gi)].map((m) => textOf(m[1]));
}

describe('start page', () => {
  const srv = useServer();

  it('is German by default: lang="de", portal name, request types, header links', async () => {
    const r = await rawRequest(srv.server.port,
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] || '', /^text\/html;\s*charset=utf-8$/i);
    assert.match(r.body, /<html[^>]*\slang="de"/, 'German without Accept-Language');
    const res = await srv.fetch('/', { headers: { 'accept-language': '*' } });
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.match(html, /^<!doctype html>/i, 'starts with a doctype');
    assert.match(html, /<html[^>]*\slang="de"/);
    const h1 = headings(html, '1');
    assert.equal(h1.length, 1, `one h1, got ${JSON.stringify(h1)}`);
    assert.ok(h1[0].length > 0, 'h1 shows the portal name');
    assert.ok(textOf(html.match(/<title>([\s\S]*?)<\/title>/)?.[1] || '').includes(h1[0]),
      `the title names the portal "${h1[0]}"`);
    assert.ok(headings(html).includes('Art der Anfrage'), `headings: ${headings(html)}`);
    const links = linkTexts(html);
    assert.ok(links.includes('Anmelden'), `links: ${links}`);
    assert.ok(links.includes('Registrieren'), `links: ${links}`);
    assert.equal(findTags(html, 'a').filter((a) => a.attrs.hreflang === 'en').length, 1,
      'one link to the English page (hreflang="en")');
  });

  it('lists the 6 demo request types as links with name and description', async () => {
    const html = await (await srv.fetch('/')).text();
    const cards = typeCards(html);
    assert.equal(cards.length, DEMO_TYPES, `type-card elements: ${cards.map((c) => c.text)}`);
    for (const c of cards) {
      assert.ok(c.href, `card "${c.text}" is (or holds) a link with href`);
      assert.ok(c.text.split(' ').length >= 3, `card "${c.text}" has a name and a description`);
    }
    assert.equal(new Set(cards.map((c) => c.href)).size, DEMO_TYPES, 'each card links elsewhere');
    const all = cards.map((c) => c.text).join(' | ');
    for (const word of [/technisch/i, /import/i, /lizenz|vertrag/i, /idee/i, /sonstig|anderes/i])
      assert.match(all, word, `demo types: ${all}`);
    const filter = findTags(html, 'input').find((t) => t.attrs.id === 'type-filter');
    assert.ok(filter, 'input#type-filter present');
    assert.ok(filter.attrs['aria-label'] || new RegExp(`<label[^>]*for="type-filter"`).test(html),
      'filter box has a label');
    assert.match(html, /id="type-filter-empty"/, 'empty-state element present');
  });

  it('is English with ?lang=en, which sets a lang cookie that is remembered', async () => {
    const c = srv.client();
    const r = await c.get('/?lang=en');
    assert.equal(r.status, 200);
    assert.match(r.text, /<html[^>]*\slang="en"/);
    assert.ok(headings(r.text).includes('Type of request'), `headings: ${headings(r.text)}`);
    const links = linkTexts(r.text);
    assert.ok(links.includes('Log in') && links.includes('Register'), `links: ${links}`);
    assert.ok(findTags(r.text, 'a').some((a) => a.attrs.hreflang === 'de'), 'link back to German');
    assert.equal(c.cookie('lang'), 'en', 'lang cookie set');
    const later = await c.get('/');
    assert.match(later.text, /<html[^>]*\slang="en"/, 'cookie remembered without ?lang');
    const back = await c.get('/?lang=de');
    assert.match(back.text, /<html[^>]*\slang="de"/);
    assert.equal(c.cookie('lang'), 'de');
    assert.match((await c.get('/')).text, /<html[^>]*\slang="de"/, 'German remembered');
  });

  it('follows Accept-Language when there is no cookie', async () => {
    const en = await (await srv.fetch('/', { headers: { 'accept-language': 'en-US,en;q=0.9' } })).text();
    assert.match(en, /<html[^>]*\slang="en"/);
    assert.ok(headings(en).includes('Type of request'));
    const de = await (await srv.fetch('/', { headers: { 'accept-language': 'de-CH,de;q=0.9,en;q=0.5' } })).text();
    assert.match(de, /<html[^>]*\slang="de"/);
    const other = await (await srv.fetch('/', { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } })).text();
    assert.match(other, /<html[^>]*\slang="de"/, 'unknown languages fall back to German');
    const cookieWins = await (await srv.fetch('/', {
      headers: { 'accept-language': 'en', cookie: 'lang=de' } })).text();
    assert.match(cookieWins, /<html[^>]*\slang="de"/, 'the lang cookie beats Accept-Language');
  });

  it('links fingerprinted CSS and JS', async () => {
    const html = await (await srv.fetch('/')).text();
    const { css, js } = assetUrls(html);
    assert.match(css || '', /^\/static\/app\.[0-9a-f]{8}\.css$/);
    assert.match(js || '', /^\/static\/app\.[0-9a-f]{8}\.js$/);
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
  });

  it('HEAD / answers like GET without a body', async () => {
    const get = await srv.fetch('/');
    const getBody = await get.text();
    const raw = await rawRequest(srv.server.port,
      'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.equal(raw.status, 200);
    assert.equal(raw.body, '', 'HEAD sends no body');
    for (const h of ['content-type', 'content-security-policy', 'x-content-type-options',
      'referrer-policy'])
      assert.equal(raw.headers[h], get.headers.get(h), h);
    if (raw.headers['content-length'] !== undefined)
      assert.equal(Number(raw.headers['content-length']), Buffer.byteLength(getBody));
  });

  it('unknown paths get a 404 HTML page', async () => {
    for (const p of ['/no/such/page', '/static/no-such-file.css', '/static/../README.md']) {
      const res = await srv.fetch(p);
      const html = await res.text();
      assert.equal(res.status, 404, p);
      assert.match(res.headers.get('content-type') || '', /^text\/html/i, p);
      assert.match(html, /<html[^>]*\slang="de"/, `${p}: a full page`);
      assert.ok(headings(html).length > 0, `${p}: the page says what happened`);
      assertSecurityHeaders(res.headers, `404 ${p}`);
    }
    const en = await srv.fetch('/no/such/page?lang=en');
    assert.match(await en.text(), /<html[^>]*\slang="en"/, '404 page in English too');
  });

  it('POST / is 405 with an Allow header', async () => {
    const res = await srv.fetch('/', { method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url },
      body: 'a=b' });
    await res.text();
    assert.equal(res.status, 405);
    const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim());
    assert.ok(allow.includes('GET') && allow.includes('HEAD'), `Allow: ${allow}`);
    assert.ok(!allow.includes('POST'));
    assertSecurityHeaders(res.headers, '405');
  });

  it('security headers on the page, errors and static files', async () => {
    const page = await srv.fetch('/');
    const html = await page.text();
    assertSecurityHeaders(page.headers, 'GET /');
    const { css, js } = assetUrls(html);
    for (const p of [css, js, '/healthz']) {
      const res = await srv.fetch(p);
      await res.arrayBuffer();
      assert.equal(res.status, 200, p);
      assertSecurityHeaders(res.headers, p);
    }
  });

  it('static files: ETag, 304, immutable caching, gzip', async () => {
    const html = await (await srv.fetch('/')).text();
    const { css, js } = assetUrls(html);
    for (const [p, type] of [[css, /^text\/css/], [js, /^(text|application)\/javascript/]]) {
      const plain = await httpGet(srv.url + p);
      assert.equal(plain.status, 200, p);
      assert.match(plain.headers['content-type'] || '', type, p);
      assert.equal(plain.headers['content-encoding'], undefined, `${p}: no gzip unless asked`);
      assert.ok(plain.body.length > 0, `${p}: not empty`);
      const etag = plain.headers.etag;
      assert.ok(etag, `${p}: ETag`);
      const cc = plain.headers['cache-control'] || '';
      assert.match(cc, /max-age=31536000/, `${p}: ${cc}`);
      assert.match(cc, /immutable/, `${p}: ${cc}`);
      const again = await httpGet(srv.url + p, { 'if-none-match': etag });
      assert.equal(again.status, 304, `${p}: If-None-Match`);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.etag, etag);
      const other = await httpGet(srv.url + p, { 'if-none-match': '"something-else"' });
      assert.equal(other.status, 200, `${p}: a different ETag gets the file`);
      const gz = await httpGet(srv.url + p, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip', `${p}: gzip`);
      assert.match(gz.headers.vary || '', /accept-encoding/i, `${p}: Vary`);
      assert.ok(zlib.gunzipSync(gz.body).equals(plain.body), `${p}: gzip body = plain body`);
      assert.match(plain.headers.vary || '', /accept-encoding/i, `${p}: Vary on plain too`);
      const gz304 = await httpGet(srv.url + p, { 'accept-encoding': 'gzip', 'if-none-match':
        gz.headers.etag });
      assert.equal(gz304.status, 304, `${p}: 304 for the gzip variant's ETag`);
    }
  });

  it('/healthz answers JSON {"status":"ok"}', async () => {
    const res = await srv.fetch('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('logs key=value lines, among them event=listening', () => {
    const lines = srv.server.stderr.split('\n').filter((l) => l.includes('event='));
    assert.ok(lines.some((l) => /(^|\s)event=listening(\s|$)/.test(l)), srv.server.stderr);
    for (const l of lines)
      assert.match(l, /^([a-z_][a-z0-9_.]*=("([^"\\]|\\.)*"|\S*)( |$))+$/i, `key=value: ${l}`);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('request limits', () => {
  const srv = useServer({ demo: false, args: ['--max-form-bytes', '1024',
    '--max-upload-bytes', '8192', '--max-url-bytes', '1024', '--max-header-bytes', '4096'] });
  // any path that takes POSTed forms; the limits apply before routing
  const POST_PATH = '/login';

  function multipart(size) {
    const b = 'testboundary7MA4YWxkTrZu0gW';
    const body = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n` +
      `Content-Type: text/plain\r\n\r\n${'x'.repeat(size)}\r\n--${b}--\r\n`;
    return { body, type: `multipart/form-data; boundary=${b}` };
  }

  it('413 for a urlencoded body above --max-form-bytes', async () => {
    const res = await srv.fetch(POST_PATH, { method: 'POST', body: 'a=' + 'x'.repeat(4096),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
    await res.text();
    assert.equal(res.status, 413);
    assertSecurityHeaders(res.headers, '413');
  });

  it('413 for a chunked urlencoded body above the limit (no Content-Length)', async () => {
    const chunk = 'a=' + 'x'.repeat(3000);
    const r = await rawRequest(srv.server.port,
      `POST ${POST_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${srv.url}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n' +
      `Connection: close\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(r.status, 413);
  });

  it('a small urlencoded body is not refused for size', async () => {
    const res = await srv.fetch(POST_PATH, { method: 'POST', body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: srv.url } });
    await res.text();
    assert.notEqual(res.status, 413);
    assert.ok(res.status < 500, `status ${res.status}`);
  });

  it('multipart has its own, larger limit: 413 only above --max-upload-bytes', async () => {
    const small = multipart(4096); // above the form limit, below the upload limit
    let res = await srv.fetch(POST_PATH, { method: 'POST', body: small.body,
      headers: { 'content-type': small.type, origin: srv.url } });
    await res.text();
    assert.notEqual(res.status, 413, 'multipart below --max-upload-bytes is accepted for size');
    assert.ok(res.status < 500, `status ${res.status}`);
    const big = multipart(20000);
    res = await srv.fetch(POST_PATH, { method: 'POST', body: big.body,
      headers: { 'content-type': big.type, origin: srv.url } });
    await res.text();
    assert.equal(res.status, 413);
    assertSecurityHeaders(res.headers, '413 multipart');
  });

  it('414 for a URL above --max-url-bytes', async () => {
    const ok = await srv.fetch('/?q=' + 'a'.repeat(900));
    await ok.arrayBuffer();
    assert.equal(ok.status, 200, 'a URL below the limit is served');
    const res = await srv.fetch('/?q=' + 'a'.repeat(1100));
    await res.text();
    assert.equal(res.status, 414);
    assertSecurityHeaders(res.headers, '414');
  });

  it('431 for a request head above --max-header-bytes', async () => {
    const okRes = await rawRequest(srv.server.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `X-Pad: ${'a'.repeat(2000)}\r\nConnection: close\r\n\r\n`);
    assert.equal(okRes.status, 200, 'a 2 KB header is fine');
    const one = await rawRequest(srv.server.port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `X-Big: ${'a'.repeat(8000)}\r\nConnection: close\r\n\r\n`);
    assert.equal(one.status, 431, `one huge header: ${one.head || '(no answer)'}`);
    let many = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n';
    for (let i = 0; i < 100; i++) many += `X-H${i}: ${'b'.repeat(60)}\r\n`;
    const r = await rawRequest(srv.server.port, many + 'Connection: close\r\n\r\n');
    assert.equal(r.status, 431, `many headers: ${r.head || '(no answer)'}`);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', '431 carries security headers');
  });

  it('the server still answers after all that', async () => {
    const res = await srv.fetch('/healthz');
    assert.equal(res.status, 200);
    await res.text();
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('process', () => {
  it('SIGTERM stops the server gracefully with exit code 0', async () => {
    const s = await startServer({ demo: false });
    try {
      const res = await s.fetch('/healthz');
      assert.equal(res.status, 200);
      await res.text();
    } finally {
      const exit = await s.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
    }
  });

  it('serves 64 keep-alive connections at once, three requests on each', async () => {
    const s = await startServer({ demo: false });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const get = () => new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: s.port, path: '/healthz', agent }, (res) => {
          let body = '';
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode, body, socket: res.socket }));
        }).on('error', reject);
      });
      const sockets = new Set();
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({ length: 64 }, get));
        for (const a of answers) {
          assert.equal(a.status, 200);
          assert.match(a.body, /"status":"ok"/);
          sockets.add(a.socket);
        }
      }
      assert.ok(sockets.size <= 64, `${sockets.size} connections for 192 requests`);
    } finally {
      agent.destroy();
      await s.stop();
    }
  });

  it('with --max-client-connections open, the next connection waits and is served once one closes',
    async () => {
      const s = await startServer({ demo: false, args: ['--max-client-connections', '4'] });
      const sockets = [];
      /** Opens a socket, sends GET /healthz and resolves with everything read within ms. */
      const ask = (ms) => new Promise((resolve, reject) => {
        const sock = net.connect(s.port, '127.0.0.1');
        sockets.push(sock);
        let got = '';
        sock.on('data', (d) => { got += d; });
        sock.on('error', reject);
        sock.on('connect', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
        setTimeout(() => resolve({ sock, got: () => got }), ms);
      });
      try {
        // the start-up probe may still hold a keep-alive connection: open until one waits
        const served = [];
        let waiting = null;
        while (!waiting && served.length < 5) {
          const o = await ask(400);
          if (/^HTTP\/1\.1 200/.test(o.got())) served.push(o);
          else waiting = o;
        }
        assert.ok(waiting, 'a connection beyond --max-client-connections waits');
        assert.ok(served.length >= 3 && served.length <= 4, `${served.length} served before`);
        assert.equal(waiting.got(), '', 'nothing answered yet');
        assert.ok(!waiting.sock.destroyed, 'and it is not closed');
        assert.match(s.stderr, /event=connections_full max=4/);
        served[0].sock.destroy();
        const deadline = Date.now() + 5000;
        while (!/^HTTP\/1\.1 200/.test(waiting.got()) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.match(waiting.got(), /^HTTP\/1\.1 200/, 'served once one of the others closed');
      } finally {
        for (const sock of sockets) sock.destroy();
        await s.stop();
      }
    });

  it('an address another process listens on is refused: exit 1, the address and reason logged',
    async () => {
      const port = await freePort();
      const blocker = net.createServer();
      await new Promise((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-test-'));
      try {
        const r = runPforte(['serve', '--listen', `127.0.0.1:${port}`, '--data', data]);
        assert.equal(r.status, 1, `exit status ${r.status}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`event=listen_failed addr=127\\.0\\.0\\.1:${port}`));
        assert.match(r.stderr, /Address already in use/);
      } finally {
        blocker.close();
        fs.rmSync(data, { recursive: true, force: true });
      }
    });

  it('settings come from PFORTE_* environment variables too (portal name, escaped)', async () => {
    const s = await startServer({ demo: false, env: { PFORTE_PORTAL_NAME: 'Env-Portal <Ö & Co>' } });
    try {
      const html = await (await s.fetch('/')).text();
      assert.ok(headings(html, '1')[0]?.includes('Env-Portal <Ö & Co>'), headings(html, '1').join());
      assert.ok(html.includes('Env-Portal &lt;Ö &amp; Co&gt;'), 'the name is HTML-escaped');
      assert.ok(!html.includes('<Ö & Co>'), 'never raw');
    } finally {
      await s.stop();
    }
  });

  it('an unknown option to `pforte serve` exits non-zero naming the option', () => {
    const r = runPforte(['serve', '--no-such-option', '--listen', '127.0.0.1:9']);
    assert.notEqual(r.status, 0, `exit status ${r.status}`);
    assert.ok(r.stderr.includes('--no-such-option'), `stderr: ${r.stderr}`);
  });

  it('an invalid value is refused naming the setting', () => {
    const r = runPforte(['serve', '--max-url-bytes', 'lots', '--listen', '127.0.0.1:9']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /max.url.bytes/i, `stderr: ${r.stderr}`);
  });

  it('the README option table matches `pforte options`', () => {
    const readmePath = path.join(REPO_ROOT, 'README.md');
    assert.ok(fs.existsSync(readmePath), 'README.md missing');
    const readme = fs.readFileSync(readmePath, 'utf8');
    const m = readme.match(/<!-- options -->\r?\n([\s\S]*?)<!-- \/options -->/);
    assert.ok(m, 'README.md needs the option table between <!-- options --> and <!-- /options -->');
    const r = runPforte(['options']);
    assert.equal(r.status, 0, `pforte options: ${r.stderr}`);
    assert.ok(r.stdout.includes('| `--listen`'), 'pforte options prints the table');
    assert.equal(m[1].trim(), r.stdout.trim(),
      'README table differs from `build/pforte options`: regenerate it');
  });
});
