// request_detail: one request's page and what its people do there - fields in the viewer's
// language, the activity (comments with files, edits old -> new, status changes), the
// optimistic version check, resolve/reopen, mails to the others (never to the actor, never
// with notifications off, threaded under the request's first mail), Markdown that cannot
// run script, internal notes hidden from customers, and 404 for everyone else on every
// route of the page.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';
import { linksIn } from './lib/mail.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082', 'hex');

// ---- helpers (shared shape with request_sharing / attachments tests) ----------------------

async function createRequest(client, values) {
  const r = await client.submitForm('/new/problem', {
    f_summary: 'Export stops at 50 %', f_description: 'The journal export stops.',
    f_product: 'cloud', f_urgency: 'high', f_version: '5.2', ...values,
  }, { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  const key = r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
  return key;
}

/** The CSRF token of the signed-in page. */
async function csrfOf(client, key) {
  const page = await client.get(`/requests/${key}`);
  assert.equal(page.status, 200);
  return parseForms(page.text).find((f) => f.action.endsWith('/comments')).fields.csrf;
}

async function postComment(client, key, body, files = []) {
  const fd = new FormData();
  fd.append('csrf', await csrfOf(client, key));
  fd.append('body', body);
  for (const f of files) fd.append('files', new Blob([f.data], { type: f.type || 'application/octet-stream' }), f.name);
  return client.request('POST', `/requests/${key}/comments`, { body: fd });
}

function editForm(html) {
  return parseForms(html).find((f) => f.action.endsWith('/edit'));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Mails to `to` whose subject contains `text`, so far. */
// ---- the tests ---------------------------------------------------------------------------

describe('request page', () => {
  const srv = useServer();
  let carla, dora, eve, key, confirmationId;

  before(async () => {
    const s = srv.server;
    addUser(s, 'carla@example.com', 'Carla Kunde');
    addUser(s, 'dora@example.com', 'Dora Teilnehmerin');
    addUser(s, 'eve@example.com', 'Eve Fremd');
    addUser(s, 'finn@example.com', 'Finn Stumm');
    carla = await login(s, 'carla@example.com');
    dora = await login(s, 'dora@example.com');
    eve = await login(s, 'eve@example.com');
    key = await createRequest(carla, { participants: 'dora@example.com\nfinn@example.com' });
    const confirmation = await s.waitForMail({ to: 'carla@example.com', subject: key });
    confirmationId = confirmation.header('message-id');
    sql(s, "UPDATE users SET notify = 0 WHERE email = 'finn@example.com'");
  });

  it('shows summary, fields with option labels, status, people and the creation (German)', async () => {
    const r = await carla.get(`/requests/${key}?created=1`);
    assert.equal(r.status, 200);
    const text = textOf(r.text);
    assert.match(text, new RegExp(`Ihre Anfrage ${key} wurde gesendet`));
    assert.match(text, /Export stops at 50 %/);
    assert.match(text, /Beleglicht Cloud/, 'select value shown by its label');
    assert.match(text, /Hoch – Arbeit stark behindert/);
    assert.match(text, /Betroffene Version 5\.2/);
    assert.match(r.text, /class="badge status-badge status-open"[^>]*>(<[^>]+>[^<]*<\/span>)?Offen/);
    assert.match(text, /Carla Kunde hat die Anfrage erstellt/);
    assert.match(text, /Dora Teilnehmerin/);
    const times = findTags(r.text, 'time');
    assert.ok(times.length >= 2 && times.every((t) => 'data-local-time' in t.attrs &&
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(t.attrs.datetime)), 'absolute times for app.js');
    assert.match(text, /gerade eben/, 'relative time');
    const plain = await carla.get(`/requests/${key}`);
    assert.doesNotMatch(textOf(plain.text), /wurde gesendet/, 'banner only with ?created=1');
  });

  it('speaks English with ?lang=en, option labels included', async () => {
    const r = await dora.get(`/requests/${key}?lang=en`);
    assert.equal(r.status, 200);
    const text = textOf(r.text);
    assert.match(text, /High – work is seriously hindered/);
    assert.match(text, /Carla Kunde created the request/);
    assert.match(text, /Mark as resolved/);
    assert.match(text, /\bOpen\b/);
    await dora.get(`/requests/${key}?lang=de`);
  });

  it('adds a comment with a file, and mails the others but not the author', async () => {
    const before = srv.server.mail().length;
    const r = await postComment(carla, key, 'Bitte **prüfen**, siehe Bild.\nZweite Zeile.',
      [{ name: 'fehler.png', data: PNG, type: 'image/png' }]);
    assert.equal(r.status, 303);
    assert.match(r.location, new RegExp(`^/requests/${key}\\?done=comment#event-\\d+$`));
    const page = await carla.get(r.location.replace(/#.*/, ''));
    assert.match(textOf(page.text), /Ihr Kommentar wurde hinzugefügt/);
    assert.match(page.text, /<strong>prüfen<\/strong>, siehe Bild\.<br \/>/);
    const link = findTags(page.text, 'a').find((a) => /\/attachments\/\d+\/fehler\.png$/.test(a.attrs.href));
    assert.ok(link, 'file linked from the comment');
    assert.ok(findTags(page.text, 'img').some((i) => i.attrs.src === `${link.attrs.href}?inline=1`),
      'image shown as thumbnail');
    const mail = await srv.server.waitForMail({ to: 'dora@example.com', subject: `[${key}]` }, { after: before });
    assert.match(mail.subject, /Export stops at 50 %/);
    assert.match(mail.text, /Carla Kunde hat zur Anfrage/);
    assert.match(mail.text, /Bitte \*\*prüfen\*\*, siehe Bild\./);
    assert.match(mail.text, /fehler\.png/);
    assert.ok(linksIn(mail).some((l) => l.endsWith(`/requests/${key}`)), 'link to the request');
    assert.equal(mail.header('in-reply-to'), confirmationId, 'threaded under the first mail');
    assert.match(mail.header('references'), new RegExp(confirmationId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.notEqual(mail.header('message-id'), confirmationId);
    await sleep(400);
    const later = srv.server.mail().slice(before);
    assert.equal(later.filter((m) => m.to.includes('carla@')).length, 0, 'no mail to the author');
    assert.equal(later.filter((m) => m.to.includes('finn@')).length, 0, 'notifications off');
  });

  it("mails a participant's comment to the reporter in her language", async () => {
    const before = srv.server.mail().length;
    const r = await postComment(dora, key, 'I can reproduce it.');
    assert.equal(r.status, 303);
    const mail = await srv.server.waitForMail({ to: 'carla@example.com', subject: `[${key}]` }, { after: before });
    assert.match(mail.text, /Dora Teilnehmerin hat zur Anfrage/);
    assert.match(mail.text, /I can reproduce it\./);
    await sleep(300);
    assert.equal(srv.server.mail().slice(before).filter((m) => m.to.includes('dora@')).length, 0);
  });

  it('refuses an empty comment with a message and keeps nothing', async () => {
    const r = await postComment(carla, key, '   ');
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Bitte schreiben Sie einen Kommentar oder hängen Sie eine Datei an/);
  });

  it('saves an edit and shows each change as old -> new', async () => {
    const page = await carla.get(`/requests/${key}`);
    const form = editForm(page.text);
    assert.ok(form, 'edit form on the page');
    const r = await carla.post(`/requests/${key}/edit`, {
      ...form.fields, summary: 'Export stops at 50 % (journal)', f_version: '5.3', f_urgency: 'critical',
    });
    assert.equal(r.status, 303);
    assert.match(r.location, /done=saved/);
    const after = await carla.get(`/requests/${key}`);
    const text = textOf(after.text);
    assert.match(text, /Carla Kunde hat die Details geändert/);
    assert.match(after.text, /Betroffene Version<\/span>: <span class="tl-old"><del>5\.2<\/del><\/span>.*?<ins>5\.3<\/ins>/s);
    assert.match(after.text, /<del>Hoch – Arbeit stark behindert<\/del>.*?<ins>Kritisch – Stillstand<\/ins>/s);
    assert.match(after.text, /<del>Export stops at 50 %<\/del>.*?<ins>Export stops at 50 % \(journal\)<\/ins>/s);
    assert.match(text, /Betroffene Version 5\.3/);
    assert.notEqual(editForm(after.text).fields.version, form.fields.version, 'version moved on');
    const same = await carla.post(`/requests/${key}/edit`, editForm(after.text).fields);
    assert.match(same.location, /done=unchanged/, 'saving unchanged values changes nothing');
  });

  it('does not overwrite a newer version: 409, the input kept, nothing saved', async () => {
    const stale = editForm((await carla.get(`/requests/${key}`)).text);
    const fresh = editForm((await dora.get(`/requests/${key}`)).text);
    const first = await dora.post(`/requests/${key}/edit`, { ...fresh.fields, f_version: '6.0' });
    assert.equal(first.status, 303);
    const r = await carla.post(`/requests/${key}/edit`, {
      ...stale.fields, f_version: '7.1', description: 'Mein neuer Text',
    });
    assert.equal(r.status, 409);
    assert.match(textOf(r.text), /Jemand anderes hat diese Anfrage inzwischen geändert/);
    const form = editForm(r.text);
    assert.equal(form.fields.f_version, '7.1', 'typed value kept');
    assert.equal(form.fields.description, 'Mein neuer Text');
    assert.notEqual(form.fields.version, stale.fields.version, 'form now carries the current version');
    assert.ok(findTags(r.text, 'details').some((d) => 'open' in d.attrs), 'edit form open');
    const now = await carla.get(`/requests/${key}`);
    assert.match(textOf(now.text), /Betroffene Version 6\.0/, "the other person's value stands");
    const again = await carla.post(`/requests/${key}/edit`, form.fields);
    assert.equal(again.status, 303, 'saving again on purpose works');
    assert.match(textOf((await carla.get(`/requests/${key}`)).text), /Betroffene Version 7\.1/);
  });

  it('refuses invalid edits with messages at the fields and keeps the input', async () => {
    const form = editForm((await carla.get(`/requests/${key}`)).text);
    const r = await carla.post(`/requests/${key}/edit`, {
      ...form.fields, summary: '  ', f_product: 'no-such-product', f_occurred_on: '2026-02-30', f_version: 'kept',
    });
    assert.equal(r.status, 422);
    const text = textOf(r.text);
    assert.match(text, /Bitte geben Sie eine Zusammenfassung ein/);
    assert.match(text, /Bitte wählen Sie aus der Liste/);
    assert.match(text, /Bitte geben Sie ein gültiges Datum ein/);
    assert.equal(editForm(r.text).fields.f_version, 'kept');
    assert.ok(findTags(r.text, 'input').some((i) => i.attrs.name === 'summary' && i.attrs['aria-invalid'] === 'true'));
  });

  it('marks the request resolved and reopens it, mailing the others', async () => {
    const csrf = await csrfOf(carla, key);
    const before = srv.server.mail().length;
    const r = await carla.post(`/requests/${key}/resolve`, { csrf });
    assert.equal(r.status, 303);
    let page = await carla.get(r.location);
    assert.match(textOf(page.text), /Die Anfrage wurde als gelöst markiert/);
    assert.match(page.text, /status-badge status-resolved/);
    assert.match(textOf(page.text), /Carla Kunde hat den Status geändert: Offen → geändert auf Gelöst/);
    assert.ok(parseForms(page.text).some((f) => f.action.endsWith('/reopen')), 'reopen offered');
    assert.ok(!parseForms(page.text).some((f) => f.action.endsWith('/resolve')));
    const mail = await srv.server.waitForMail({ to: 'dora@example.com', subject: `[${key}]` }, { after: before });
    assert.match(mail.text, /von „Offen“ auf „Gelöst“/);
    assert.equal((await carla.post(`/requests/${key}/resolve`, { csrf })).status, 303, 'again: harmless');
    const reopened = await carla.post(`/requests/${key}/reopen`, { csrf });
    assert.equal(reopened.status, 303);
    page = await carla.get(`/requests/${key}`);
    assert.match(page.text, /status-badge status-open/);
    assert.equal((page.text.match(/hat den Status geändert/g) || []).length, 2, 'one event each, no duplicate');
    await srv.server.waitForMail((m) => m.to.includes('dora@') && /von „Gelöst“ auf „Offen“/.test(m.text));
    await sleep(300);
    assert.equal(srv.server.mail().slice(before).filter((m) => m.to.includes('carla@')).length, 0,
      'no mail to the one who changed the status');
  });

  it('renders Markdown without any way to run script', async () => {
    const attack = [
      '<script>alert(1)</script>',
      'inline <img src=x onerror=alert(2)> html',
      '[click me](javascript:alert(3))',
      '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)',
      '![pic](https://evil.example/x.png "t\\" onerror=\\"alert(5)")',
      '<a href="javascript:alert(6)">a</a> <iframe src="https://evil.example"></iframe>',
      '[ok](https://example.com/docs?a=1&b=2) and www.example.org',
      '<svg onload=alert(7)>',
    ].join('\n\n');
    const r = await postComment(carla, key, attack);
    assert.equal(r.status, 303);
    const page = (await carla.get(`/requests/${key}`)).text;
    const comment = page.slice(page.lastIndexOf('class="md tl-body"'));
    const body = comment.slice(0, comment.indexOf('</article>'));
    const tags = [...body.matchAll(/<([a-z][a-z0-9]*)\b([^>]*)>/gi)];
    for (const [tag, name, attrs] of tags) {
      assert.ok(['p', 'a', 'pre', 'code', 'br', 'strong', 'em', 'del', 'div'].includes(name.toLowerCase()), `tag ${tag}`);
      for (const [, attr, value] of attrs.matchAll(/([^\s"'=]+)\s*=\s*"([^"]*)"/g)) {
        assert.ok(['href', 'rel', 'title', 'class'].includes(attr.toLowerCase()), `attribute ${attr} in ${tag}`);
        assert.doesNotMatch(value, /javascript:|data:|[<>"]/i, `value of ${attr} in ${tag}`);
      }
    }
    assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'raw HTML shown as typed');
    assert.match(body, /click me/, 'text of a bad link kept');
    assert.match(body, /<a rel="nofollow noopener noreferrer" href="https:\/\/example\.com\/docs\?a=1&amp;b=2">ok<\/a>/);
    assert.match(body, /<a rel="nofollow noopener noreferrer" href="http:\/\/www\.example\.org">/, 'autolink');
    assert.match(body, /<a rel="nofollow noopener noreferrer" href="https:\/\/evil\.example\/x\.png"[^>]*>pic<\/a>/, 'image became a link');
    for (const a of findTags(body, 'a')) assert.match(a.attrs.href, /^(https?:|mailto:)/);
  });

  it('never shows internal notes or internal files to customers', async () => {
    const id = sql(srv.server, `SELECT id FROM requests WHERE number = ${key.split('-')[1]}`);
    sql(srv.server, `INSERT INTO events (request_id, actor_id, kind, body, internal, created_at) VALUES (${id}, 1, 'note', 'SECRET-NOTE customer is difficult', 1, 1)`);
    const blob = srv.server.database ? "decode('736563726574', 'hex')" : "X'736563726574'";
    sql(srv.server, `INSERT INTO attachments (request_id, filename, content_type, size, sha256, data, internal, created_at) VALUES (${id}, 'secret-notes.txt', 'text/plain', 6, 'x', ${blob}, 1, 1)`);
    const fileId = sql(srv.server, "SELECT id FROM attachments WHERE filename = 'secret-notes.txt'");
    const page = await carla.get(`/requests/${key}`);
    assert.doesNotMatch(page.text, /SECRET-NOTE|secret-notes/);
    const file = await carla.get(`/requests/${key}/attachments/${fileId}/secret-notes.txt`);
    assert.equal(file.status, 404);
  });

  it('makes public comments and edited texts findable in the list, never internal notes', async () => {
    const search = async (word) => textOf((await carla.get(`/requests?q=${encodeURIComponent(word)}`)).text);
    assert.doesNotMatch(await search('Zahnradgetriebe'), /Export stops/);
    assert.equal((await postComment(dora, key, 'Das Zahnradgetriebe klemmt.')).status, 303);
    assert.match(await search('Zahnradgetriebe'), /Export stops/, 'a comment is searchable');
    const form = editForm((await carla.get(`/requests/${key}`)).text);
    assert.equal((await carla.post(`/requests/${key}/edit`, { ...form.fields, description: 'Kurbelwelle defekt' })).status, 303);
    assert.match(await search('Kurbelwelle'), /Export stops/, 'the new description is searchable');
    assert.match(await search('Zahnradgetriebe'), /Export stops/, 'comments stay searchable after an edit');
    assert.doesNotMatch(await search('SECRET-NOTE'), /Export stops/, 'internal notes are not');
  });

  it('answers 404 to another customer on the page, its files and every action', async () => {
    const page = await carla.get(`/requests/${key}`);
    const fileHref = findTags(page.text, 'a').find((a) => /\/attachments\/\d+\//.test(a.attrs.href)).attrs.href;
    const eventsBefore = (page.text.match(/class="tl-item/g) || []).length;
    assert.equal((await eve.get(`/requests/${key}`)).status, 404);
    assert.equal((await eve.get(fileHref)).status, 404);
    assert.equal((await eve.get(`${fileHref}?inline=1`)).status, 404);
    const csrf = parseForms((await eve.get('/profile')).text).find((f) => f.fields.csrf).fields.csrf;
    const doraId = sql(srv.server, "SELECT id FROM users WHERE email = 'dora@example.com'");
    const actions = [
      ['comments', { body: 'eve was here' }],
      ['edit', { version: '1', summary: 'hijacked' }],
      ['participants', { email: 'eve@example.com' }],
      [`participants/${doraId}/remove`, {}],
      ['organization', { share: '1' }],
      ['resolve', {}],
      ['reopen', {}],
    ];
    for (const [action, fields] of actions) {
      const r = await eve.post(`/requests/${key}/${action}`, { csrf, ...fields });
      assert.equal(r.status, 404, `POST ${action}`);
      assert.doesNotMatch(r.text, /Export stops/, `POST ${action} reveals nothing`);
    }
    const fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('body', 'multipart too');
    assert.equal((await eve.request('POST', `/requests/${key}/comments`, { body: fd })).status, 404);
    const after = await carla.get(`/requests/${key}`);
    assert.equal((after.text.match(/class="tl-item/g) || []).length, eventsBefore, 'nothing changed');
    assert.doesNotMatch(after.text, /eve was here|hijacked|Eve Fremd/);
    const anonymous = srv.server.client();
    const r = await anonymous.get(`/requests/${key}`);
    assert.equal(r.status, 303);
    assert.match(r.location, /^\/login\?next=/);
    assert.equal((await anonymous.get(fileHref)).status, 303);
  });

  it('answers 404 for unknown and malformed keys', async () => {
    for (const k of ['SUP-99999', 'SUP-0', 'SUP-01', 'XYZ-1', 'sup--1'])
      assert.equal((await carla.get(`/requests/${k}`)).status, 404, k);
  });

  it('stops cleanly', () => srv.stop());
});
