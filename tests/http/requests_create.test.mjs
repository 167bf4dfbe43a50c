// requests_create: "Anfrage erstellen" over HTTP - the form of a type (login first, back to
// the form after it), every field kind checked on the server with the errors next to the
// fields and at the top and everything typed kept (422), "please attach again", one request
// per submit token (also for two POSTs at once), the key and number, the confirmation mail
// (key in the subject, its Message-ID kept for threading), sharing with the organization and
// with people by address (known ones take part, unknown ones get an account and an
// invitation that ends on the request), CSRF.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { findByClass, findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';
import { linksIn } from './lib/mail.mjs';


/** The request form of a type: {fields (as a browser would send them), html}. */
async function formOf(client, type) {
  const page = await client.get(`/new/${type}`);
  assert.equal(page.status, 200, `GET /new/${type}`);
  const form = parseForms(page.text).find((f) => f.action === `/new/${type}`);
  assert.ok(form, 'the request form');
  return { fields: form.fields, html: page.text, attrs: form.attrs };
}

/** Posts the form as multipart/form-data (as the browser does): values are strings or
 * arrays; files: {field: [{name, data, type}]}. */
async function send(client, type, base, values, files = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...base, ...values }))
    for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  for (const [field, list] of Object.entries(files))
    for (const f of list) fd.append(field, new Blob([f.data], { type: f.type || 'text/plain' }), f.name);
  return client.request('POST', `/new/${type}`, { body: fd });
}

function keyOf(res) {
  assert.equal(res.status, 303, `expected a redirect, got ${res.status}: ${textOf(res.text).slice(0, 400)}`);
  const m = res.location.match(/^\/requests\/([A-Z]+-\d+)\?created=1$/);
  assert.ok(m, `redirect to the request: ${res.location}`);
  return m[1];
}

const ALL_KINDS_TYPE = `
INSERT INTO request_types (key, name_de, name_en, description_de, description_en, icon, position, active, created_at)
  VALUES ('allkinds', 'Alle Feldarten', 'All field kinds', 'Zum Testen', 'For tests', 'question', 99, 1, 0);
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'summary', 'text', 'Zusammenfassung', 'Summary', 'Konkret bitte.', 'Be specific.', 1, '', 0 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'description', 'textarea', 'Beschreibung', 'Description', '', '', 1, '', 1 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'contact', 'email', 'Kontakt', 'Contact', '', '', 1, '', 2 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'amount', 'number', 'Anzahl', 'Amount', '', '', 1, '', 3 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'since', 'date', 'Seit', 'Since', '', '', 1, '', 4 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'product', 'select', 'Produkt', 'Product', '', '', 1, 'cloud|Wolke|Cloud\nbox|Kiste|Box', 5 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'topics', 'multiselect', 'Themen', 'Topics', '', '', 1, 'a|Eins|One\nb|Zwei|Two\nc|Drei|Three', 6 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'agree', 'checkbox', 'Einverstanden', 'Agreed', '', '', 1, '', 7 FROM request_types WHERE key = 'allkinds';
INSERT INTO request_fields (type_id, key, kind, label_de, label_en, help_de, help_en, required, options, position)
  SELECT id, 'files', 'attachments', 'Dateien', 'Files', '', '', 1, '', 8 FROM request_types WHERE key = 'allkinds';
`;

const GOOD = {
  f_summary: 'Fehler bei der Übernahme von Ausgangsbelegen',
  f_description: 'Seit Montag fehlen Belege.\n\n- Schritt 1\n- Schritt 2',
  f_contact: 'buchhaltung@example.com',
  f_amount: '12,5',
  f_since: '2024-02-29',
  f_product: 'box',
  f_topics: ['c', 'a'],
  f_agree: '1',
};
const FILE = { f_files: [{ name: 'protokoll.txt', data: 'Zeile 1\nZeile 2\n' }] };

describe('creating a request', () => {
  const srv = useServer();
  let carla, anna;

  before(async () => {
    const s = srv.server;
    sql(s, ALL_KINDS_TYPE);
    addUser(s, 'carla@example.com', 'Carla Kunde');
    addUser(s, 'dora@example.com', 'Dora Bekannt');
    carla = await login(s, 'carla@example.com');
    // the demo customer of "Muster Handels GmbH" gets a password for this test
    sql(s, `UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = 'carla@example.com') WHERE email = 'anna.schmidt@muster-handel.example'`);
    anna = await login(s, 'anna.schmidt@muster-handel.example');
  });

  it('asks to log in first and comes back to the form afterwards', async () => {
    const anon = srv.server.client();
    const r = await anon.get('/new/problem');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/login?next=%2Fnew%2Fproblem');
    const c = await login(srv.server, 'carla@example.com', '/new/problem');
    assert.equal(c.loginLocation, '/new/problem');
    const form = await c.get(c.loginLocation);
    assert.equal(form.status, 200);
    assert.ok(parseForms(form.text).some((f) => f.action === '/new/problem'));
  });

  it('shows the type form: title, helpful summary text, every field, sharing, "Senden"', async () => {
    const { html, attrs, fields } = await formOf(carla, 'problem');
    assert.equal(attrs.enctype, 'multipart/form-data');
    assert.equal(attrs.method, 'post');
    const text = textOf(html);
    assert.match(text, /Technisches Problem/);
    assert.match(text, /„Fehler bei der Übernahme von Ausgangsbelegen“ statt „geht nicht“/);
    for (const label of ['Zusammenfassung', 'Beschreibung', 'Produkt', 'Betroffene Version',
      'Dringlichkeit', 'Seit wann tritt das Problem auf?', 'Schritte zum Nachstellen', 'Anhänge'])
      assert.ok(text.includes(label), `label ${label}`);
    assert.match(text, /Außerdem mit diesen Personen teilen/);
    assert.doesNotMatch(text, /Mit meiner Organisation/, 'Carla has no organization');
    assert.equal(findTags(html, 'button').find((b) => b.attrs.type === 'submit') !== undefined, true);
    assert.match(html, /<button class="btn btn-primary" type="submit">Senden<\/button>/);
    assert.match(fields.submit_token, /^[A-Za-z0-9_-]{43}$/, 'a submit token');
    assert.ok(fields.csrf, 'a CSRF token');
    const again = await formOf(carla, 'problem');
    assert.notEqual(again.fields.submit_token, fields.submit_token, 'a new token per form');
    const en = await carla.get('/new/problem?lang=en');
    assert.match(textOf(en.text), /Technical problem/);
    assert.match(en.text, /type="submit">Send</);
    await carla.get('/new/problem?lang=de');
  });

  it('answers 404 for an unknown or inactive type', async () => {
    assert.equal((await carla.get('/new/nosuchtype')).status, 404);
    sql(srv.server, "UPDATE request_types SET active = 0 WHERE key = 'other'");
    assert.equal((await carla.get('/new/other')).status, 404);
    sql(srv.server, "UPDATE request_types SET active = 1 WHERE key = 'other'");
    assert.equal((await carla.get('/new/other')).status, 200);
  });

  it('creates a request with every field kind, its values, file, event and search row', async () => {
    const { fields } = await formOf(carla, 'allkinds');
    const key = keyOf(await send(carla, 'allkinds', fields, GOOD, FILE));
    const number = Number(key.split('-')[1]);
    const id = sql(srv.server, `SELECT id FROM requests WHERE number = ${number}`);
    assert.equal(sql(srv.server, `SELECT summary || '|' || description || '|' || status FROM requests WHERE id = ${id}`),
      `${GOOD.f_summary}|${GOOD.f_description}|open`);
    const values = Object.fromEntries(sql(srv.server,
      `SELECT f.key || '=' || replace(v.value, '\n', ',') FROM request_values v JOIN request_fields f ON f.id = v.field_id WHERE v.request_id = ${id}`)
      .split('\n').map((l) => l.split('=')));
    assert.deepEqual(values, { contact: 'buchhaltung@example.com', amount: '12.5', since: '2024-02-29',
      product: 'box', topics: 'a,c', agree: '1' });
    assert.equal(sql(srv.server, `SELECT filename || ':' || size FROM attachments WHERE request_id = ${id}`),
      'protokoll.txt:16');
    assert.equal(sql(srv.server, `SELECT kind FROM events WHERE request_id = ${id} ORDER BY id LIMIT 1`), 'created');
    assert.equal(sql(srv.server, `SELECT count(*) FROM events e JOIN attachments a ON a.event_id = e.id WHERE e.request_id = ${id} AND e.kind = 'created'`), '1',
      'the file belongs to the "created" event');
    // a search right after the create finds it (SQLite indexes new requests in batches after
    // their commit, and a search catches up first), and then the index holds the request
    // (FTS5 on SQLite, a tsvector table on PostgreSQL)
    const found = await carla.get('/requests?q=Montag');
    assert.ok(found.text.includes(key), 'the search lists the new request');
    assert.ok(!(await carla.get('/requests?q=Zebrastreifen')).text.includes(key));
    const pg = Boolean(srv.server.database);
    assert.equal(sql(srv.server, `SELECT summary FROM request_search WHERE ${pg ? 'request_id' : 'rowid'} = ${id}`), GOOD.f_summary);
    assert.equal(sql(srv.server, pg
      ? "SELECT count(*) FROM request_search WHERE document @@ pforte_search_query(' Montag')"
      : "SELECT count(*) FROM request_search WHERE request_search MATCH 'Montag'"), '1');
  });

  it('numbers requests with the configured prefix, one after the other', async () => {
    const a = keyOf(await send(carla, 'question', (await formOf(carla, 'question')).fields,
      { f_summary: 'Erste Frage', f_description: 'x' }));
    const b = keyOf(await send(carla, 'question', (await formOf(carla, 'question')).fields,
      { f_summary: 'Zweite Frage', f_description: 'y' }));
    assert.match(a, /^SUP-\d+$/);
    assert.equal(Number(b.split('-')[1]), Number(a.split('-')[1]) + 1);
  });

  it('checks every field on the server: 422, errors at the top and at the fields, input kept', async () => {
    const { fields } = await formOf(carla, 'allkinds');
    const before = sql(srv.server, 'SELECT count(*) FROM requests');
    const bad = {
      f_summary: 'x'.repeat(201), f_description: '  ', f_contact: 'kaputt@', f_amount: 'zwölf',
      f_since: '2023-02-29', f_product: 'evil', f_topics: ['a', 'zzz'],
      participants: 'dora@example.com\nkein-mail',
    };
    const r = await send(carla, 'allkinds', fields, bad, FILE);
    assert.equal(r.status, 422);
    assert.equal(sql(srv.server, 'SELECT count(*) FROM requests'), before, 'nothing created');
    const box = findByClass(r.text, 'alert-error');
    assert.equal(box.length, 1, 'one error summary at the top');
    const top = r.text.slice(box[0].index, r.text.indexOf('</div>', r.text.indexOf('</ul>', box[0].index)));
    const links = findTags(top, 'a').map((a) => a.attrs.href);
    assert.deepEqual(links, ['#f_summary', '#f_description', '#f_contact', '#f_amount', '#f_since',
      '#f_product', '#f_topics', '#f_agree', '#participants']);
    const text = textOf(r.text);
    for (const msg of ['Bitte kürzen Sie den Text auf höchstens 200 Zeichen.',
      'Bitte füllen Sie dieses Feld aus.', 'Bitte geben Sie eine Zahl ein, zum Beispiel 42 oder 3,5.',
      'Bitte geben Sie ein gültiges Datum zwischen 1900 und 2100 ein.',
      'Bitte wählen Sie eine der angebotenen Möglichkeiten.',
      'Bitte wählen Sie nur unter den angebotenen Möglichkeiten.',
      'Bitte setzen Sie dieses Häkchen, um fortzufahren.', '„kein-mail“ ist keine gültige E-Mail-Adresse.'])
      assert.ok(text.includes(msg), `message: ${msg}`);
    // next to the field, and tied to it for screen readers
    const summary = findTags(r.text, 'input').find((t) => t.attrs.name === 'f_summary');
    assert.equal(summary.attrs['aria-invalid'], 'true');
    assert.match(summary.attrs['aria-describedby'], /f_summary-error/);
    assert.match(r.text, /<p class="field-error" id="f_summary-error">/);
    // everything typed is still there
    const form = parseForms(r.text).find((f) => f.action === '/new/allkinds');
    assert.equal(form.fields.f_summary, bad.f_summary);
    assert.equal(form.fields.f_contact, 'kaputt@');
    assert.equal(form.fields.f_amount, 'zwölf');
    assert.equal(form.fields.f_since, '2023-02-29');
    assert.equal(form.fields.participants.replace(/\r\n/g, '\n'), bad.participants, 'as typed (browsers send CRLF)');
    assert.equal(form.fields.f_topics, 'a', 'the valid choice stays ticked');
    assert.equal(form.fields.submit_token, fields.submit_token, 'the same submit token');
    // files cannot come back: the page says so, naming them
    const again = findByClass(r.text, 'attach-again');
    assert.equal(again.length, 1);
    assert.match(textOf(r.text.slice(again[0].index, again[0].index + 800)), /erneut an.*protokoll\.txt/);
    // corrected, the same form goes through
    const ok = await send(carla, 'allkinds', form.fields, { ...GOOD, participants: '' }, FILE);
    keyOf(ok);
  });

  it('keeps a select choice, ticked boxes and text areas when showing errors', async () => {
    const { fields } = await formOf(carla, 'allkinds');
    const r = await send(carla, 'allkinds', fields, { ...GOOD, f_summary: '', f_description: 'Zeile <b>1</b>\nZeile 2' }, FILE);
    assert.equal(r.status, 422);
    const form = parseForms(r.text).find((f) => f.action === '/new/allkinds');
    assert.equal(form.fields.f_product, 'box');
    assert.equal(form.fields.f_agree, '1');
    assert.equal(form.fields.f_description.replace(/\r\n/g, '\n'), 'Zeile <b>1</b>\nZeile 2');
    assert.doesNotMatch(r.text, /Zeile <b>1<\/b>/, 'typed HTML is escaped');
  });

  it('creates one request per submit token: a resubmitted form goes to the same request', async () => {
    const { fields } = await formOf(carla, 'question');
    const values = { f_summary: 'Doppelklick-Frage', f_description: 'Einmal bitte' };
    const before = Number(sql(srv.server, 'SELECT count(*) FROM requests'));
    const first = keyOf(await send(carla, 'question', fields, values));
    const second = keyOf(await send(carla, 'question', fields, values));
    assert.equal(second, first);
    // a double click: both POSTs at the same time
    const form2 = await formOf(carla, 'question');
    const [x, y] = await Promise.all([send(carla, 'question', form2.fields, values),
      send(carla, 'question', form2.fields, values)]);
    assert.equal(keyOf(x), keyOf(y));
    assert.equal(Number(sql(srv.server, 'SELECT count(*) FROM requests')), before + 2);
    // someone else's token never leads to the other request
    const dora = await login(srv.server, 'dora@example.com');
    const doras = await formOf(dora, 'question');
    const theirs = keyOf(await send(dora, 'question', { ...doras.fields, submit_token: fields.submit_token }, values));
    assert.notEqual(theirs, first);
  });

  it('mails a confirmation with the key in the subject and keeps its Message-ID', async () => {
    const { fields } = await formOf(carla, 'question');
    const key = keyOf(await send(carla, 'question', fields,
      { f_summary: 'Wo finde ich den Export?', f_description: 'Im Menü fehlt er.' }));
    const mail = await srv.server.waitForMail({ to: 'carla@example.com', subject: key });
    assert.equal(mail.subject, `Ihre Anfrage ${key}: Wo finde ich den Export?`);
    assert.match(mail.text, new RegExp(`unter der Nummer ${key}`));
    assert.ok(linksIn(mail).some((l) => l.endsWith(`/requests/${key}`)), 'a link to the request');
    const stored = sql(srv.server, `SELECT message_id FROM requests WHERE number = ${key.split('-')[1]}`);
    assert.equal(stored, mail.header('message-id'));
  });

  it('mails the confirmation in the language of the profile and under its current name', async () => {
    // the mail worker builds the confirmation when it sends it, from the request and profile
    addUser(srv.server, 'erin@example.com', 'Erin Customer');
    sql(srv.server, "UPDATE users SET lang = 'en' WHERE email = 'erin@example.com'");
    const erin = await login(srv.server, 'erin@example.com');
    const key = keyOf(await send(erin, 'question', (await formOf(erin, 'question')).fields,
      { f_summary: 'Where is the export?', f_description: 'It is missing from the menu.' }));
    const mail = await srv.server.waitForMail({ to: 'erin@example.com', subject: key });
    assert.equal(mail.subject, `Your request ${key}: Where is the export?`);
    assert.match(mail.text, /^Hello Erin Customer,/m);
    assert.match(mail.text, new RegExp(`under the number ${key}`));
    assert.equal(mail.header('content-language'), 'en');
  });

  it('shares with the organization when asked (only customers with one see the choice)', async () => {
    const { fields, html } = await formOf(anna, 'question');
    assert.match(textOf(html), /Mit meiner Organisation Muster Handels GmbH teilen/);
    const key = keyOf(await send(anna, 'question', fields,
      { f_summary: 'Für alle bei Muster', f_description: 'x', share_org: '1' }));
    const org = sql(srv.server, "SELECT id FROM organizations WHERE name = 'Muster Handels GmbH'");
    assert.equal(sql(srv.server, `SELECT organization_id FROM requests WHERE number = ${key.split('-')[1]}`), org);
    const unshared = keyOf(await send(anna, 'question', (await formOf(anna, 'question')).fields,
      { f_summary: 'Nur für Anna', f_description: 'x' }));
    assert.equal(sql(srv.server, `SELECT coalesce(organization_id, 0) FROM requests WHERE number = ${unshared.split('-')[1]}`), '0');
    // a forged share_org of someone without organization changes nothing
    const k3 = keyOf(await send(carla, 'question', (await formOf(carla, 'question')).fields,
      { f_summary: 'Carla ohne Firma', f_description: 'x', share_org: '1' }));
    assert.equal(sql(srv.server, `SELECT coalesce(organization_id, 0) FROM requests WHERE number = ${k3.split('-')[1]}`), '0');
  });

  it('shares with people: known ones take part, unknown ones are invited to the request', async () => {
    const { fields } = await formOf(carla, 'question');
    const key = keyOf(await send(carla, 'question', fields, {
      f_summary: 'Bitte mit Kollegen ansehen', f_description: 'x',
      participants: 'Dora@Example.com, neu.kollege@example.org;\ncarla@example.com',
    }));
    const number = key.split('-')[1];
    const people = sql(srv.server, `SELECT u.email FROM participants p JOIN users u ON u.id = p.user_id JOIN requests r ON r.id = p.request_id WHERE r.number = ${number} ORDER BY u.email`);
    assert.deepEqual(people.split('\n'), ['dora@example.com', 'neu.kollege@example.org'], 'oneself is not added');
    assert.equal(sql(srv.server, "SELECT coalesce(password_hash, 'none') || ' ' || role FROM users WHERE email = 'neu.kollege@example.org'"), 'none customer');
    await srv.server.waitForMail({ to: 'dora@example.com', subject: key });
    const invite = await srv.server.waitForMail({ to: 'neu.kollege@example.org', subject: key });
    const link = linksIn(invite).find((l) => l.includes('/register/finish?token='));
    assert.ok(link, 'an invitation link');
    // the invited person sets a password and lands on the request
    const guest = srv.server.client();
    const page = await guest.get(new URL(link).pathname + new URL(link).search);
    assert.equal(page.status, 200);
    const form = parseForms(page.text).find((f) => f.action === '/register/finish');
    const done = await guest.post('/register/finish', { ...form.fields, name: 'Neu Kollege', password: 'Ruhig Wald Kerze Boot Himmel' });
    assert.equal(done.status, 303);
    assert.equal(done.location, `/requests/${key}`);
    const list = await guest.get('/requests');
    assert.match(textOf(list.text), /Bitte mit Kollegen ansehen/);
  });

  it('refuses a POST without a valid CSRF token and creates nothing', async () => {
    const { fields } = await formOf(carla, 'question');
    const before = sql(srv.server, 'SELECT count(*) FROM requests');
    const r = await send(carla, 'question', { ...fields, csrf: 'wrong' }, { f_summary: 'CSRF', f_description: 'x' });
    assert.equal(r.status, 403);
    const r2 = await send(carla, 'question', fields, { f_summary: 'Fremde Seite', f_description: 'x' });
    assert.equal(r2.status, 303, 'the same form with its token works');
    const evil = await carla.request('POST', '/new/question', {
      body: new URLSearchParams({ ...fields, f_summary: 'Origin', f_description: 'x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      origin: 'https://evil.example',
    });
    assert.equal(evil.status, 403);
    assert.equal(Number(sql(srv.server, 'SELECT count(*) FROM requests')), Number(before) + 1);
  });

  it('stops cleanly', () => srv.stop());
});
