// attachments: files on a request - per-file and per-request limits answered with a clear
// message (422, never a bare 413), sanitised names, downloads that can never run as a page
// (Content-Disposition with filename*, nosniff, a sandboxing CSP), thumbnails only for real
// raster images, and 404 for a file reached through another request.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login } from './lib/fixtures.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082', 'hex');

async function createRequest(client, summary) {
  const r = await client.submitForm('/new/other', { f_summary: summary, f_description: 'Files follow.' },
    { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

async function postComment(client, key, body, files) {
  const page = await client.get(`/requests/${key}`);
  const fd = new FormData();
  fd.append('csrf', parseForms(page.text).find((f) => f.action.endsWith('/comments')).fields.csrf);
  fd.append('body', body);
  for (const f of files) fd.append('files', new Blob([f.data], { type: f.type || 'application/octet-stream' }), f.name);
  return client.request('POST', `/requests/${key}/comments`, { body: fd });
}

/** Links to the request's files on its page: [{href, name}] (the side list, oldest first). */
async function fileLinks(client, key) {
  const page = await client.get(`/requests/${key}`);
  const side = page.text.slice(page.text.indexOf('class="panel rq-files"'));
  return findTags(side, 'a').filter((a) => a.attrs.href.includes('/attachments/'))
    .map((a) => ({ href: a.attrs.href, name: decodeURIComponent(a.attrs.href.split('/').pop()) }));
}

async function download(client, href) {
  const res = await client.request('GET', href);
  return { ...res, bytes: Buffer.from(await (await fetch(new URL(href, client.baseUrl), {
    headers: { cookie: client.cookieHeader() } })).arrayBuffer()) };
}

describe('attachments', () => {
  const srv = useServer({
    env: { PFORTE_MAX_ATTACHMENT_BYTES: '2048', PFORTE_MAX_REQUEST_ATTACHMENT_BYTES: '6144' },
  });
  let carla, key;

  before(async () => {
    addUser(srv.server, 'carla@example.com', 'Carla Kunde');
    carla = await login(srv.server, 'carla@example.com');
    key = await createRequest(carla, 'Files, files, files');
  });

  it('refuses a file over the per-file limit with a clear message and keeps the comment', async () => {
    const r = await postComment(carla, key, 'Mein Protokoll', [{ name: 'big.log', data: Buffer.alloc(3000, 65) }]);
    assert.equal(r.status, 422);
    const text = textOf(r.text);
    assert.match(text, /Jede Datei darf höchstens 2 KB groß sein/);
    assert.match(text, /Bitte wählen Sie Ihre Dateien erneut aus/);
    assert.equal(parseForms(r.text).find((f) => f.action.endsWith('/comments')).fields.body, 'Mein Protokoll');
    assert.ok(findTags(r.text, 'input').some((i) => i.attrs.name === 'files' && i.attrs['aria-invalid'] === 'true'));
    assert.equal((await fileLinks(carla, key)).length, 0, 'nothing stored');
    assert.doesNotMatch(textOf((await carla.get(`/requests/${key}`)).text), /Mein Protokoll/);
  });

  it('refuses an empty file', async () => {
    const r = await postComment(carla, key, '', [{ name: 'empty.txt', data: Buffer.alloc(0) }]);
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Eine der Dateien ist leer/);
  });

  it('counts every file of the request against the per-request limit', async () => {
    let r = await postComment(carla, key, 'three files', [
      { name: 'a.bin', data: Buffer.alloc(2000, 1) }, { name: 'b.bin', data: Buffer.alloc(2000, 2) },
      { name: 'c.bin', data: Buffer.alloc(1900, 3) }]);
    assert.equal(r.status, 303, 'within both limits');
    r = await postComment(carla, key, 'one more', [{ name: 'd.bin', data: Buffer.alloc(1000, 4) }]);
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Alle Dateien einer Anfrage zusammen dürfen höchstens 6 KB groß sein/);
    assert.equal((await fileLinks(carla, key)).length, 3);
  });

  it('serves a download with a safe name, filename*, nosniff and a sandboxing CSP', async () => {
    const other = await createRequest(carla, 'Names');
    const data = Buffer.from('Prüfbericht\n<script>alert(1)</script>\n');
    const r = await postComment(carla, other, 'Bericht', [
      { name: 'C:\\Users\\x\\Prüfbericht \'final\'\u202Etxt.exe', data, type: 'text/html' }]);
    assert.equal(r.status, 303);
    const [file] = await fileLinks(carla, other);
    assert.equal(file.name, 'Prüfbericht _final__txt.exe', 'no path, quotes or bidi control');
    const res = await download(carla, file.href);
    assert.equal(res.status, 200);
    const h = res.headers;
    assert.equal(h.get('content-disposition'),
      'attachment; filename="Pr_fbericht _final__txt.exe"; filename*=UTF-8\'\'Pr%C3%BCfbericht%20_final__txt.exe');
    assert.equal(h.get('content-type'), 'application/octet-stream', 'the browser\'s text/html is not believed');
    assert.equal(h.get('x-content-type-options'), 'nosniff');
    assert.equal(h.get('content-security-policy'), "sandbox; default-src 'none'");
    assert.match(h.get('cache-control'), /\bprivate\b/);
    assert.equal(h.get('etag'), `"${createHash('sha256').update(data).digest('hex')}"`);
    assert.ok(res.bytes.equals(data), 'the same bytes come back');
  });

  it('shows real PNGs inline as thumbnails; SVG and disguised HTML only as downloads', async () => {
    const other = await createRequest(carla, 'Pictures');
    const r = await postComment(carla, other, 'Bilder', [
      { name: 'screen.png', data: PNG, type: 'image/png' },
      { name: 'vector.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), type: 'image/svg+xml' },
      { name: 'fake.png', data: Buffer.from('<html><script>alert(2)</script></html>'), type: 'image/png' }]);
    assert.equal(r.status, 303);
    const page = await carla.get(`/requests/${other}`);
    const links = await fileLinks(carla, other);
    const byName = Object.fromEntries(links.map((l) => [l.name, l.href]));
    const thumbs = findTags(page.text, 'img').map((i) => i.attrs.src);
    assert.ok(thumbs.includes(`${byName['screen.png']}?inline=1`), 'PNG thumbnail');
    assert.ok(!thumbs.some((s) => s.includes('vector.svg') || s.includes('fake.png')), 'no thumbnails for the others');

    let res = await download(carla, `${byName['screen.png']}?inline=1`);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.match(res.headers.get('content-disposition'), /^inline; filename="screen\.png"/);
    assert.equal(res.headers.get('content-security-policy'), "sandbox; default-src 'none'");
    res = await download(carla, byName['screen.png']);
    assert.match(res.headers.get('content-disposition'), /^attachment;/, 'inline only when asked');
    for (const name of ['vector.svg', 'fake.png']) {
      res = await download(carla, `${byName[name]}?inline=1`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream', name);
      assert.match(res.headers.get('content-disposition'), /^attachment;/, name);
    }
  });

  it('answers 404 for a file reached through another request, a wrong or odd id', async () => {
    const a = await createRequest(carla, 'Request A');
    const b = await createRequest(carla, 'Request B');
    assert.equal((await postComment(carla, b, 'file on B', [{ name: 'b.txt', data: Buffer.from('bbb') }])).status, 303);
    const [file] = await fileLinks(carla, b);
    const id = file.href.split('/')[4];
    assert.equal((await carla.get(file.href)).status, 200);
    assert.equal((await carla.get(`/requests/${a}/attachments/${id}/b.txt`)).status, 404, 'via request A');
    for (const bad of ['999999', '0', '-1', 'abc', '1e3'])
      assert.equal((await carla.get(`/requests/${b}/attachments/${bad}/b.txt`)).status, 404, bad);
    const anonymous = srv.server.client();
    const r = await anonymous.get(file.href);
    assert.equal(r.status, 303, 'login first');
    assert.match(r.location, /^\/login/);
  });

  it('keeps files sent with the new request and shows them at its creation', async () => {
    const page = await carla.get('/new/other');
    const form = parseForms(page.text).find((f) => f.action.startsWith('/new/'));
    const fd = new FormData();
    for (const [k, v] of Object.entries(form.fields)) fd.append(k, v);
    fd.set('f_summary', 'With a screenshot');
    fd.set('f_description', 'See attached.');
    fd.append('f_files', new Blob([PNG], { type: 'image/png' }), 'start.png');
    const r = await carla.request('POST', form.action, { body: fd });
    assert.equal(r.status, 303, r.text.slice(0, 300));
    const view = await carla.get(r.location);
    const created = view.text.slice(view.text.indexOf('tl-created'));
    assert.match(created.slice(0, created.indexOf('</li>')), /start\.png/, 'listed with the creation');
  });

  it('stops cleanly', () => srv.stop());
});
