// desk_request: the agents' page of one request (/desk/requests/{key}) and what agents do there -
// public replies (mailed to reporter and participants, never the actor), internal notes (never
// in any customer output: page, list, search, mails, attachment downloads), the status
// workflow with its automatic transitions (customer comment, first reply, auto-close with the
// moved clock), assignment and priority events, canned responses with placeholders, presence
// and the stale-page check. Customers get 404 on every desk URL, GET and POST.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, outboxSettled, sql } from './lib/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Moves the server's clock; it re-reads the offset at most once a second. */
async function advance(server, seconds) {
  server.advanceClock(seconds);
  await sleep(1100);
}

async function createRequest(client, values = {}) {
  const r = await client.submitForm('/new/problem', {
    f_summary: 'Export stops at 50 %', f_description: 'The journal export stops.',
    f_product: 'cloud', f_urgency: 'high', f_version: '5.2', ...values,
  }, { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

/** The desk page's form whose action ends with suffix. */
async function deskForm(client, key, suffix) {
  const page = await client.get(`/desk/requests/${key}`);
  assert.equal(page.status, 200, page.text.slice(0, 300));
  const form = parseForms(page.text).find((f) => f.action.endsWith(suffix));
  assert.ok(form, `form ${suffix}`);
  return form;
}

/** Posts a desk form of the current page with values (stamp and CSRF from the page). */
async function deskPost(client, key, suffix, values) {
  const form = await deskForm(client, key, suffix);
  return client.post(form.action, { ...form.fields, ...values });
}

const reply = (c, key, body, extra = {}) =>
  deskPost(c, key, '/reply', { mode: 'public', body, set_status: '', ...extra });
const note = (c, key, body, extra = {}) =>
  deskPost(c, key, '/reply', { mode: 'internal', body, set_status: '', ...extra });
const statusOf = (s, key) => sql(s, `SELECT status FROM requests WHERE number = ${key.split('-')[1]}`);

describe('desk: one request', () => {
  const srv = useServer({ env: { PFORTE_AUTO_CLOSE_DAYS: '7', PFORTE_AUTO_CLOSE_CHECK_SECONDS: '1' } });
  let carla, dora, alex, bea, admin, key;

  before(async () => {
    const s = srv.server;
    addUser(s, 'carla@example.com', 'Carla Kunde');
    addUser(s, 'dora@example.com', 'Dora Teilnehmerin');
    addUser(s, 'alex@example.com', 'Alex Agent', 'agent');
    addUser(s, 'bea@example.com', 'Bea Bearbeiterin', 'agent');
    addUser(s, 'ada@example.com', 'Ada Admin', 'admin');
    sql(s, "UPDATE users SET lang = 'en' WHERE email = 'dora@example.com'");
    carla = await login(s, 'carla@example.com');
    dora = await login(s, 'dora@example.com');
    alex = await login(s, 'alex@example.com');
    bea = await login(s, 'bea@example.com');
    admin = await login(s, 'ada@example.com');
    key = await createRequest(carla, { participants: 'dora@example.com' });
    await createRequest(carla, { f_summary: 'Second concern of Carla' });
    await outboxSettled(s); /* the confirmations and Dora's share mail, before any count */
  });

  it('answers 404 to customers on every desk request URL, GET and POST', async () => {
    const page = await carla.get(`/requests/${key}`);
    const csrf = parseForms(page.text).find((f) => f.action.endsWith('/comments')).fields.csrf;
    for (const url of [`/desk/requests/${key}`, '/desk/requests/SUP-99999', '/desk/admin/canned',
      '/desk/admin/canned/1']) {
      const r = await carla.get(url);
      assert.equal(r.status, 404, url);
      assert.doesNotMatch(r.text, /desk-nav/, url);
    }
    for (const suffix of ['reply', 'status', 'assign', 'priority']) {
      const r = await carla.post(`/desk/requests/${key}/${suffix}`,
        { csrf, body: 'x', mode: 'public', status: 'closed', assignee: 'me', priority: 'high' });
      assert.equal(r.status, 404, suffix);
    }
    for (const url of ['/desk/admin/canned', '/desk/admin/canned/1', '/desk/admin/canned/1/delete']) {
      assert.equal((await carla.post(url, { csrf, title: 't', body: 'b', lang: 'de' })).status, 404, url);
      assert.equal((await alex.post(url, { csrf, title: 't', body: 'b', lang: 'de' })).status, 404,
        `agents are no admins: ${url}`);
    }
    assert.equal(statusOf(srv.server, key), 'open');
    assert.equal(sql(srv.server, `SELECT count(*) FROM events WHERE body = 'x'`), '0');
    const anon = await srv.client().get(`/desk/requests/${key}`);
    assert.equal(anon.status, 303);
    assert.match(anon.location, /^\/login\?next=/);
  });

  it('shows the request with its fields, the customer, their other requests and the people', async () => {
    const r = await alex.get(`/desk/requests/${key}`);
    assert.equal(r.status, 200);
    const text = textOf(r.text);
    assert.match(text, /Export stops at 50 %/);
    assert.match(text, /Beleglicht Cloud/);
    assert.match(text, /Carla Kunde/);
    assert.match(text, /Dora Teilnehmerin/);
    assert.match(text, /Weitere Anfragen/);
    assert.match(r.text, /href="\/desk\/requests\/SUP-\d+"[^>]*>.*Second concern of Carla/);
    assert.match(text, /Öffentliche Antwort/);
    assert.match(text, /Interne Notiz/);
    assert.match(r.text, /class="desk-nav"/);
    const en = await alex.get(`/desk/requests/${key}?lang=en`);
    assert.match(textOf(en.text), /Public reply/);
    assert.match(textOf(en.text), /Other requests/);
    await alex.get(`/desk/requests/${key}?lang=de`);
  });

  it('keeps internal notes and their files out of every customer output', async () => {
    const s = srv.server;
    await outboxSettled(s);
    const mailsBefore = s.mail().length;
    const form = await deskForm(alex, key, '/reply');
    const fd = new FormData();
    for (const [k, v] of Object.entries(form.fields)) fd.append(k, v);
    fd.set('mode', 'internal');
    fd.set('set_status', '');
    fd.set('body', 'Geheimwort Zebrafink: the customer uses an old licence');
    fd.append('files', new Blob(['internal analysis']), 'analyse-intern.txt');
    const r = await alex.request('POST', form.action, { body: fd });
    assert.equal(r.status, 303, r.text.slice(0, 800));
    assert.match(r.location, /done=note/);
    const deskPage = await alex.get(r.location);
    assert.match(deskPage.text, /tl-internal/);
    assert.match(deskPage.text, /#lock"/);
    assert.match(textOf(deskPage.text), /Interne Notiz/);
    assert.match(textOf(deskPage.text), /Zebrafink/);
    assert.match(deskPage.text, /analyse-intern\.txt/);

    for (const c of [carla, dora]) {
      const page = await c.get(`/requests/${key}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /Zebrafink|analyse-intern|tl-internal/);
      const list = await c.get('/requests');
      assert.doesNotMatch(list.text, /Zebrafink|analyse-intern/);
      const search = await c.get('/requests?q=Zebrafink');
      assert.doesNotMatch(search.text, new RegExp(`${key}\\b`), 'search finds no internal text');
    }
    const fileId = sql(s, "SELECT id FROM attachments WHERE filename = 'analyse-intern.txt'");
    assert.equal(sql(s, `SELECT internal FROM attachments WHERE id = ${fileId}`), '1');
    const dl = await carla.get(`/requests/${key}/attachments/${fileId}/analyse-intern.txt`);
    assert.equal(dl.status, 404);
    const agentDl = await alex.get(`/requests/${key}/attachments/${fileId}/analyse-intern.txt`);
    assert.equal(agentDl.status, 200);
    assert.equal(agentDl.text, 'internal analysis');
    await sleep(300);
    const newMails = s.mail().slice(mailsBefore);
    assert.equal(newMails.filter((m) => /Zebrafink|analyse-intern/.test(m.text + m.html)).length, 0);
    assert.equal(newMails.length, 0, 'a note mails nobody');
    assert.equal(statusOf(s, key), 'open', 'a note does not move the status');
  });

  it('mails a public reply to reporter and participants in their language, not to the agent', async () => {
    const s = srv.server;
    const since = s.mail().length;
    const r = await reply(alex, key, 'Please try **version 5.3**, it fixes the export.');
    assert.equal(r.status, 303, r.text.slice(0, 500));
    assert.match(r.location, /done=reply/);
    const toCarla = await s.waitForMail({ to: 'carla@example.com', subject: key }, { after: since });
    const toDora = await s.waitForMail({ to: 'dora@example.com', subject: key }, { after: since });
    assert.match(toCarla.text, /Alex Agent hat .*geschrieben/s);
    assert.match(toCarla.text, /version 5\.3/);
    assert.match(toDora.text, /Alex Agent has written/);
    assert.ok(toCarla.header('in-reply-to'), 'threaded under the request');
    await sleep(200);
    assert.equal(s.mail().slice(since).filter((m) => /alex@example\.com/.test(m.header('to'))).length, 0);
    const page = await carla.get(`/requests/${key}`);
    assert.match(textOf(page.text), /version 5\.3/);
    assert.equal(statusOf(s, key), 'in_progress', 'the first reply on an open request: in progress');

    // a public reply's files are the customer's too, and the mail names them
    const form = await deskForm(alex, key, '/reply');
    const fd = new FormData();
    for (const [k, v] of Object.entries(form.fields)) fd.append(k, v);
    fd.set('mode', 'public');
    fd.set('set_status', '');
    fd.set('body', 'Here is the fixed import template.');
    fd.append('files', new Blob(['a;b;c\n']), 'vorlage.csv');
    const since2 = s.mail().length;
    const rf = await alex.request('POST', form.action, { body: fd });
    assert.equal(rf.status, 303, rf.text.slice(0, 500));
    const fileId = sql(s, "SELECT id FROM attachments WHERE filename = 'vorlage.csv'");
    assert.equal(sql(s, `SELECT internal FROM attachments WHERE id = ${fileId}`), '0');
    const dl = await carla.get(`/requests/${key}/attachments/${fileId}/vorlage.csv`);
    assert.equal(dl.status, 200);
    const withFile = await s.waitForMail({ to: 'carla@example.com', subject: key }, { after: since2 });
    assert.match(withFile.text, /vorlage\.csv/);
  });

  it('moves the status along the workflow and refuses invalid steps with a clear message', async () => {
    const s = srv.server;
    let r = await deskPost(alex, key, '/status', { status: 'closed' });
    assert.equal(r.status, 422);
    const text = textOf(r.text);
    assert.match(text, /Der Status kann nicht von „In Bearbeitung“ zu „Geschlossen“ wechseln/);
    assert.match(text, /Möglich sind: Wartet auf Kunde, Wartet auf Support, Gelöst/);
    assert.equal(statusOf(s, key), 'in_progress');
    r = await deskPost(alex, key, '/status', { status: 'nonsense' });
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Bitte wählen Sie einen Status aus der Liste/);

    const since = s.mail().length;
    r = await deskPost(alex, key, '/status', { status: 'waiting_customer' });
    assert.equal(r.status, 303);
    assert.equal(statusOf(s, key), 'waiting_customer');
    const mail = await s.waitForMail({ to: 'carla@example.com', subject: key }, { after: since });
    assert.match(mail.text, /Wartet auf Kunde/);
    const page = await carla.get(`/requests/${key}`);
    assert.match(textOf(page.text), /Alex Agent hat den Status geändert/);

    // the customer's comment hands it back to support (domain rule, also for mail-in)
    const cpage = await carla.get(`/requests/${key}`);
    const cform = parseForms(cpage.text).find((f) => f.action.endsWith('/comments'));
    r = await carla.post(cform.action, { ...cform.fields, body: 'Version 5.3 did not help.' });
    assert.equal(r.status, 303);
    assert.equal(statusOf(s, key), 'waiting_support');

    // reply and set status in one go
    r = await reply(alex, key, 'Could you send the log file?', { set_status: 'waiting_customer' });
    assert.equal(r.status, 303);
    assert.equal(statusOf(s, key), 'waiting_customer');
    r = await reply(alex, key, 'x', { set_status: 'open' });
    assert.equal(r.status, 422, 'not a possible next status');
    assert.match(textOf(r.text), /Wartet auf Kunde.*Offen/);
    assert.match(r.text, />x<\/textarea>/, 'typed text kept');
  });

  it('records assignment and priority as agent-only events', async () => {
    const s = srv.server;
    let r = await deskPost(alex, key, '/assign', { assignee: 'me' });
    assert.equal(r.status, 303);
    const beaId = sql(s, "SELECT id FROM users WHERE email = 'bea@example.com'");
    r = await deskPost(alex, key, '/assign', { assignee: beaId });
    assert.equal(r.status, 303);
    r = await deskPost(alex, key, '/assign', { assignee: sql(s, "SELECT id FROM users WHERE email = 'carla@example.com'") });
    assert.equal(r.status, 422, 'customers cannot be assigned');
    assert.match(textOf(r.text), /Bitte wählen Sie einen Bearbeiter aus der Liste/);
    r = await deskPost(alex, key, '/priority', { priority: 'critical' });
    assert.equal(r.status, 303);
    r = await deskPost(alex, key, '/priority', { priority: 'urgent' });
    assert.equal(r.status, 422);
    assert.equal(sql(s, `SELECT priority FROM requests WHERE number = ${key.split('-')[1]}`), 'critical');
    const page = textOf((await alex.get(`/desk/requests/${key}`)).text);
    assert.match(page, /Bearbeiter : Alex Agent → geändert auf Bea Bearbeiterin/);
    assert.match(page, /Priorität : Mittel → geändert auf Kritisch/);
    const customer = await carla.get(`/requests/${key}`);
    assert.doesNotMatch(textOf(customer.text), /Bea Bearbeiterin|Priorität|Bearbeiter :/);
    r = await deskPost(alex, key, '/assign', { assignee: '' });
    assert.equal(r.status, 303);
    assert.equal(sql(s, `SELECT COALESCE(assignee_id, 0) FROM requests WHERE number = ${key.split('-')[1]}`), '0');
  });

  it('refuses a save on a stale page, shows what changed and keeps the typed text', async () => {
    const s = srv.server;
    const stale = await deskForm(alex, key, '/reply');
    const r1 = await reply(bea, key, 'Bea answers first.');
    assert.equal(r1.status, 303);
    const r = await alex.post(stale.action, { ...stale.fields, mode: 'public', set_status: '',
      body: 'My long answer that must not get lost' });
    assert.equal(r.status, 409);
    const text = textOf(r.text);
    assert.match(text, /Diese Anfrage wurde geändert, während Sie daran gearbeitet haben/);
    assert.match(text, /Bea Bearbeiterin hat einen Kommentar geschrieben .*Bea answers first\./);
    assert.match(r.text, />My long answer that must not get lost<\/textarea>/);
    assert.equal(sql(s, "SELECT count(*) FROM events WHERE body LIKE 'My long answer%'"), '0');
    // the same stale stamp on the status form is refused too
    const staleStatus = parseForms(stale.fields ? (await alex.get(`/desk/requests/${key}`)).text : '')
      .find((f) => f.action.endsWith('/status'));
    await reply(bea, key, 'Another one from Bea.');
    const r2 = await alex.post(staleStatus.action, { ...staleStatus.fields, status: 'resolved' });
    assert.equal(r2.status, 409);
    assert.notEqual(statusOf(s, key), 'resolved');
    // the re-rendered page carries the fresh stamp: sending again works
    const again = parseForms(r.text).find((f) => f.action.endsWith('/reply'));
    const r3 = await alex.post(again.action, { ...again.fields, mode: 'public', set_status: '' });
    assert.equal(r3.status, 409, 'Bea wrote again meanwhile');
  });

  it('shows who else has the request open and who just replied', async () => {
    await bea.get(`/desk/requests/${key}`);
    const page = textOf((await alex.get(`/desk/requests/${key}`)).text);
    assert.match(page, /Bea Bearbeiterin sieht sich diese Anfrage gerade auch an/);
    assert.match(page, /Bea Bearbeiterin hat (gerade eben|vor \d+ Minuten?) geantwortet/);
    await advance(srv.server, 600);
    const later = textOf((await alex.get(`/desk/requests/${key}`)).text);
    assert.doesNotMatch(later, /sieht sich diese Anfrage gerade auch an/);
    assert.match(later, /Bea Bearbeiterin hat vor 10 Minuten geantwortet/);
  });

  it('manages canned responses and inserts them with placeholders filled in, without JavaScript', async () => {
    let r = await admin.submitForm('/desk/admin/canned', { title: '', body: '', lang: 'de' },
      { action: '/desk/admin/canned' });
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /Bitte geben Sie einen Titel ein/);
    r = await admin.submitForm('/desk/admin/canned', { title: 'T'.repeat(121), body: 'b'.repeat(10001), lang: 'fr' },
      { action: '/desk/admin/canned' });
    assert.equal(r.status, 422);
    assert.match(textOf(r.text), /höchstens 120 Zeichen/);
    assert.match(textOf(r.text), /höchstens 10\.000 Zeichen/);
    assert.match(textOf(r.text), /Bitte wählen Sie eine Sprache/);
    assert.match(r.text, new RegExp(`value="${'T'.repeat(121)}"`), 'input kept');
    r = await admin.submitForm('/desk/admin/canned', { title: 'T'.repeat(120), body: 'b'.repeat(10000), lang: 'en' },
      { action: '/desk/admin/canned' });
    assert.equal(r.status, 303, 'exactly at the limits');
    assert.equal(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'canned_create'"), '1');
    sql(srv.server, 'DELETE FROM canned_responses');
    r = await admin.submitForm('/desk/admin/canned', {
      title: 'Logdatei anfordern', lang: 'de',
      body: 'Hallo {{customer_name}},\n\nzu {{request_key}}: bitte senden Sie uns die Logdatei.\n\nViele Grüße\n{{agent_name}}, {{portal_name}} {{unknown}}',
    }, { action: '/desk/admin/canned' });
    assert.equal(r.status, 303);
    const list = await admin.get('/desk/admin/canned');
    assert.match(textOf(list.text), /Logdatei anfordern/);
    const id = sql(srv.server, "SELECT id FROM canned_responses WHERE title = 'Logdatei anfordern'");
    r = await admin.submitForm(`/desk/admin/canned/${id}`, { title: 'Logdatei anfordern (v2)' },
      { action: `/desk/admin/canned/${id}` });
    assert.equal(r.status, 303);

    const form = await deskForm(alex, key, '/reply');
    r = await alex.post(form.action, { ...form.fields, mode: 'internal', body: 'Typed first.',
      canned: id, insert: '1' });
    assert.equal(r.status, 200);
    const body = parseForms(r.text).find((f) => f.action.endsWith('/reply')).fields.body;
    assert.match(body, /^Typed first\.\n\nHallo Carla Kunde,/);
    assert.match(body, new RegExp(`zu ${key}: bitte`));
    assert.match(body, /Alex Agent, Beleglicht Support \{\{unknown\}\}/);
    assert.match(r.text, /value="internal" checked/, 'mode kept');
    assert.equal(sql(srv.server, "SELECT count(*) FROM events WHERE body LIKE 'Typed first.%'"), '0',
      'inserting saves nothing');
    r = await admin.submitForm('/desk/admin/canned', {}, { action: `/desk/admin/canned/${id}/delete` });
    assert.equal(r.status, 303);
    assert.equal(sql(srv.server, 'SELECT count(*) FROM canned_responses'), '0');
  });

  it('closes a resolved request after the configured quiet days (moved clock)', async () => {
    const s = srv.server;
    const k2 = await createRequest(carla, { f_summary: 'Will be closed automatically' });
    const k3 = await createRequest(carla, { f_summary: 'Customer answers after resolving' });
    for (const k of [k2, k3]) {
      let r = await deskPost(alex, k, '/status', { status: 'resolved' });
      assert.equal(r.status, 303, r.text.slice(0, 300));
    }
    await advance(s, 5 * 86400);
    const cpage = await carla.get(`/requests/${k3}`);
    const cform = parseForms(cpage.text).find((f) => f.action.endsWith('/comments'));
    assert.equal((await carla.post(cform.action, { ...cform.fields, body: 'Thanks, one more question.' })).status, 303);
    assert.equal(statusOf(s, k2), 'resolved');
    const since = s.mail().length;
    await advance(s, 3 * 86400); // k2: 8 days resolved; k3: 3 days since the customer wrote
    for (let i = 0; i < 50 && statusOf(s, k2) !== 'closed'; i++) await sleep(100);
    assert.equal(statusOf(s, k2), 'closed');
    assert.equal(statusOf(s, k3), 'resolved');
    const mail = await s.waitForMail({ to: 'carla@example.com', subject: k2 }, { after: since });
    assert.match(mail.text, /Geschlossen/);
    const page = textOf((await carla.get(`/requests/${k2}`)).text);
    assert.match(page, /Support-Team hat den Status geändert|Supportteam hat den Status geändert/);
    assert.equal(sql(s, `SELECT count(*) FROM events e JOIN requests r ON r.id = e.request_id
      WHERE r.number = ${k2.split('-')[1]} AND e.kind = 'status' AND e.new_value = 'closed'`), '1');
    await advance(s, 5 * 86400);
    for (let i = 0; i < 50 && statusOf(s, k3) !== 'closed'; i++) await sleep(100);
    assert.equal(statusOf(s, k3), 'closed');
    let r = await reply(alex, k3, 'Sorry, one more thing.');
    assert.equal(r.status, 422, 'a closed request takes no public reply as it is');
    assert.match(textOf(r.text), /Diese Anfrage ist geschlossen\. Öffnen Sie sie wieder/);
    r = await note(alex, k3, 'Noted after closing.');
    assert.equal(r.status, 303, 'internal notes are still possible');
    r = await reply(alex, k3, 'Sorry, one more thing.', { set_status: 'in_progress' });
    assert.equal(r.status, 303, 'reply and reopen in one go');
    assert.equal(statusOf(s, k3), 'in_progress');
    // an agent reopens a closed request; the customer's own resolve/reopen keeps working
    r = await deskPost(alex, k2, '/status', { status: 'in_progress' });
    assert.equal(r.status, 303);
    const p2 = await carla.get(`/requests/${k2}`);
    const resolve = parseForms(p2.text).find((f) => f.action.endsWith('/resolve'));
    assert.equal((await carla.post(resolve.action, resolve.fields)).status, 303);
    assert.equal(statusOf(s, k2), 'resolved');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
