// SLAs end to end: the admin settings page (admins only, German/English errors, nothing stored
// on a bad form, audit entry), the due times the background pass stores on requests, and the
// reminder mails with the movable clock - one per request and target, to the assignee or to
// all agents, in each recipient's language, none while waiting for the customer or after the
// first response.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const FAST_SLA = { PFORTE_SLA_POLL_MS: '100' };

/** Unix seconds of a Berlin wall-clock time in winter (UTC+1). */
const berlinWinter = (y, mo, d, h, mi) => Date.UTC(y, mo - 1, d, h - 1, mi) / 1000;

/** Puts the server's clock at unix time t (it reads the offset at most once a second). */
async function setServerTime(server, t) {
  server.setClockOffset(t - Math.floor(Date.now() / 1000));
  await sleep(1100);
}

async function advance(server, seconds) {
  server.advanceClock(seconds);
  await sleep(1100);
}

async function createRequest(client, summary) {
  const r = await client.submitForm('/new/problem', {
    f_summary: summary, f_description: 'The journal export stops.',
    f_product: 'cloud', f_urgency: 'high', f_version: '5.2',
  }, { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

const idOf = (server, key) => Number(sql(server, `SELECT id FROM requests WHERE number = ${key.split('-')[1]}`));

/** Changes a request by SQL the way the desk would (bumping updated_at so the pass sees it). */
function change(server, key, assignments) {
  sql(server, `UPDATE requests SET ${assignments}, updated_at = updated_at + 1 WHERE id = ${idOf(server, key)}`);
}

/** Waits until the pass has computed the request's columns; returns them. */
async function computed(server, key) {
  const id = idOf(server, key);
  for (let i = 0; i < 100; i++) {
    const row = sql(server, `SELECT CASE WHEN sla_updated_at = updated_at THEN 1 ELSE 0 END, created_at, sla_first_response_due_at,
      sla_resolution_due_at, sla_attention_at FROM requests WHERE id = ${id}`).split('|');
    if (row[0] === '1')
      return { created: Number(row[1]), firstDue: row[2] === '' ? null : Number(row[2]),
        resolutionDue: row[3] === '' ? null : Number(row[3]), attention: row[4] === '' ? null : Number(row[4]) };
    await sleep(50);
  }
  throw new Error(`SLA columns of ${key} were not computed`);
}

/** The bare address a mail went to. */
const addr = (m) => (m.to.match(/<([^>]+)>/) || [null, m.to])[1];

/** SLA mails about key so far: [{to, subject, text}]. */
function slaMails(server, key) {
  return server.mail().filter((m) => m.subject.includes(`[${key}]`) &&
    /fällig|überfällig|due in|overdue/.test(m.subject));
}

describe('SLA reminders', () => {
  const srv = useServer({ env: FAST_SLA });
  const T0 = berlinWinter(2026, 12, 7, 8, 30); // a Monday, 08:30 in Berlin
  let carla, ada;

  before(async () => {
    const s = srv.server;
    addUser(s, 'ada@example.com', 'Ada Agentin', 'agent');
    addUser(s, 'ben@example.com', 'Ben Agent', 'agent');
    addUser(s, 'ali@example.com', 'Ali Admin', 'admin');
    addUser(s, 'off@example.com', 'Otto Ausgeschieden', 'agent');
    addUser(s, 'carla@example.com', 'Carla Kunde');
    sql(s, "UPDATE users SET lang = 'en' WHERE email = 'ben@example.com'");
    sql(s, "UPDATE users SET disabled = 1 WHERE email = 'off@example.com'");
    carla = await login(s, 'carla@example.com');
    ada = await login(s, 'ada@example.com');
    await setServerTime(s, T0);
  });

  let r1, r2, r3, r4;

  it('stores due times in business time when a request comes in', async () => {
    const s = srv.server;
    r1 = await createRequest(carla, 'Unassigned and critical');
    change(s, r1, "priority = 'critical'");
    const c = await computed(s, r1);
    assert.ok(Math.abs(c.created - T0) < 30, 'created at the moved clock');
    assert.equal(c.firstDue - c.created, 3600, 'critical: first response within 1 business hour');
    assert.equal(c.resolutionDue - c.created, 8 * 3600, 'critical: resolved within 8 business hours');
    assert.equal(c.attention - c.created, 48 * 60, 'at risk 12 minutes (20 %) before the target');
    // low: 18 business hours = Monday 08:30-17:00, Tuesday 08:00-17:00, Wednesday 08:00-08:30
    const low = await createRequest(carla, 'Low one');
    change(s, low, "priority = 'low'");
    const m = await computed(s, low);
    assert.equal(m.firstDue - m.created, 48 * 3600);
    assert.equal(slaMails(s, r1).length, 0, 'no reminder before the risk window');
  });

  it('shows both clocks on the agent\'s request page; the SLA queue waits for the risk window', async () => {
    const page = (await ada.get(`/desk/requests/${r1}`)).text;
    const panel = page.slice(page.indexOf('class="panel dk-sla"'), page.indexOf('</section>', page.indexOf('class="panel dk-sla"')));
    assert.ok(panel.length > 0, 'an SLA panel');
    const text = textOf(panel);
    assert.match(text, /Erste Antwort/);
    assert.match(text, /Lösung/);
    assert.match(text, /noch 1 Std\./, text);
    assert.match(text, /fällig 07\.12\.2026, 09:30/, text);
    const queue = (await ada.get('/desk?queue=sla')).text;
    assert.doesNotMatch(queue, new RegExp(`data-key="${r1}"`), 'not yet at risk');
  });

  it('mails every agent once when an unassigned request is about to breach, each in their language', async () => {
    const s = srv.server;
    await advance(s, 50 * 60); // 09:20: 10 minutes left
    const de = await s.waitForMail((m) => addr(m) === 'ada@example.com' && m.subject.includes(`[${r1}]`));
    assert.match(de.subject, new RegExp(`^\\[${r1}\\] Erste Antwort fällig in (9|10) Min\\.$`));
    assert.match(de.text, /Priorität Kritisch/);
    assert.match(de.text, /07\.12\.2026, 09:30/);
    assert.match(de.text, /Europe\/Berlin/);
    assert.match(de.text, /noch niemandem zugewiesen/);
    assert.match(de.text, new RegExp(`/desk/requests/${r1}`), 'links to the agent\'s page');
    assert.match((await ada.get('/desk?queue=sla')).text, new RegExp(`data-key="${r1}"`), 'in the SLA queue now');
    const en = await s.waitForMail((m) => addr(m) === 'ben@example.com' && m.subject.includes(`[${r1}]`));
    assert.match(en.subject, /First response due in (9|10) min$/);
    assert.match(en.text, /2026-12-07 09:30/);
    await s.waitForMail((m) => addr(m) === 'ali@example.com' && m.subject.includes(`[${r1}]`));
    assert.ok(!s.mail().some((m) => addr(m) === 'off@example.com'), 'disabled accounts get nothing');
    assert.ok(!s.mail().some((m) => addr(m) === 'carla@example.com' && /fällig/.test(m.subject)),
      'customers never get SLA mail');
  });

  it('does not mail again when the target is breached later', async () => {
    const s = srv.server;
    await advance(s, 20 * 60); // 09:40: 10 minutes overdue
    await sleep(600); // several passes
    const mails = slaMails(s, r1);
    // Ada, Ben, Ali and the demo agent
    assert.equal(mails.length, 4, mails.map((m) => `${m.to}: ${m.subject}`).join('\n'));
    assert.equal(sql(s, `SELECT count(*) FROM sla_reminders WHERE request_id = ${idOf(s, r1)}`), '1');
    const c = await computed(s, r1);
    assert.ok(c.attention <= T0 + 70 * 60, 'breached requests stay in the at-risk-or-breached queue');
  });

  it('mails only the assignee, and nobody while waiting for the customer or after an agent answered', async () => {
    const s = srv.server;
    const ben = Number(sql(s, "SELECT id FROM users WHERE email = 'ben@example.com'"));
    r2 = await createRequest(carla, 'Assigned to Ben');
    change(s, r2, `priority = 'critical', assignee_id = ${ben}`);
    r3 = await createRequest(carla, 'Waiting for Carla');
    change(s, r3, "priority = 'critical', status = 'waiting_customer'");
    r4 = await createRequest(carla, 'Answered at once');
    change(s, r4, "priority = 'critical'");
    // Ada answers r4 publicly (through the request page agents may use)
    const page = await ada.get(`/requests/${r4}`);
    const csrf = parseForms(page.text).find((f) => f.action.endsWith('/comments')).fields.csrf;
    const fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('body', 'We are on it.');
    const posted = await ada.request('POST', `/requests/${r4}/comments`, { body: fd });
    assert.equal(posted.status, 303);
    for (const k of [r2, r3, r4]) await computed(s, k);
    assert.equal((await computed(s, r3)).attention, null, 'paused: nothing happens by time');
    // the outcome the reports count: r4's first response met its target, its resolution is open
    assert.equal(sql(s, `SELECT sla_first_response_met FROM requests WHERE id = ${idOf(s, r4)}`), '1');
    assert.equal(sql(s, `SELECT coalesce(sla_resolution_met, -1) FROM requests WHERE id = ${idOf(s, r4)}`), '-1');
    await advance(s, 55 * 60);
    const mail = await s.waitForMail((m) => m.subject.includes(`[${r2}]`));
    assert.equal(addr(mail), 'ben@example.com');
    assert.match(mail.text, /assigned to you/);
    await sleep(600);
    assert.deepEqual(slaMails(s, r2).map(addr), ['ben@example.com']);
    assert.equal(slaMails(s, r3).length, 0, 'waiting for the customer pauses the clock');
    assert.equal(slaMails(s, r4).length, 0, 'the first response was given');
    assert.equal(sql(s, `SELECT count(*) FROM sla_reminders WHERE request_id IN (${idOf(s, r3)}, ${idOf(s, r4)})`), '0');
  });

  it('reminds about the resolution target once, an hour before it at most', async () => {
    const s = srv.server;
    // r1 was created at 08:30 and is due to be resolved at 16:30; now it is about 10:35
    assert.equal(slaMails(s, r1).filter((m) => /Lösung|Resolution/.test(m.subject)).length, 0);
    await setServerTime(s, T0 + 7 * 3600 + 5 * 60); // 15:35
    const m = await s.waitForMail((x) => addr(x) === 'ada@example.com' && x.subject.includes(`[${r1}] Lösung`));
    assert.match(m.subject, /Lösung fällig in 5[4-6] Min\.$/);
    assert.match(m.text, /soll bis 07\.12\.2026, 16:30 gelöst sein/);
    await sleep(600);
    assert.equal(slaMails(s, r1).filter((x) => /Lösung|Resolution/.test(x.subject)).length, 4);
    assert.equal(sql(s, `SELECT count(*) FROM sla_reminders WHERE request_id = ${idOf(s, r1)}`), '2');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('SLA settings page', () => {
  const srv = useServer({ env: FAST_SLA });
  let admin, adminEn;

  before(async () => {
    const s = srv.server;
    addUser(s, 'admin@example.com', 'Ada Admin', 'admin');
    addUser(s, 'admin-en@example.com', 'Eve Admin', 'admin');
    sql(s, "UPDATE users SET lang = 'en' WHERE email = 'admin-en@example.com'");
    addUser(s, 'agent@example.com', 'Alex Agent', 'agent');
    addUser(s, 'kunde@example.com', 'Karla Kunde');
    admin = await login(s, 'admin@example.com');
    adminEn = await login(s, 'admin-en@example.com');
  });

  /** The form's fields as the page shows them. */
  async function formFields(client) {
    const page = await client.get('/desk/admin/sla');
    assert.equal(page.status, 200);
    return parseForms(page.text).find((f) => f.action === '/desk/admin/sla').fields;
  }

  it('is for admins only: visitors go to the login, customers and agents get 404', async () => {
    const s = srv.server;
    const visitor = await s.client().get('/desk/admin/sla');
    assert.equal(visitor.status, 303);
    assert.match(visitor.location, /^\/login/);
    for (const email of ['kunde@example.com', 'agent@example.com']) {
      const c = await login(s, email);
      assert.equal((await c.get('/desk/admin/sla')).status, 404, email);
      const post = await c.post('/desk/admin/sla', { time_zone: 'UTC' });
      assert.equal(post.status, 404, `${email} POST`);
    }
    assert.equal(sql(s, "SELECT value FROM settings WHERE name = 'sla_time_zone'"), 'Europe/Berlin');
  });

  it('shows the defaults: Europe/Berlin, Monday to Friday 08:00-17:00, targets in hours', async () => {
    const f = await formFields(admin);
    assert.equal(f.time_zone, 'Europe/Berlin');
    for (let d = 1; d <= 5; d++) assert.deepEqual([f[`open_${d}`], f[`close_${d}`]], ['08:00', '17:00']);
    assert.deepEqual([f.open_6, f.close_6, f.open_7, f.close_7], ['', '', '', '']);
    assert.deepEqual([f.first_response_critical, f.resolution_critical], ['1', '8']);
    assert.deepEqual([f.first_response_high, f.resolution_high], ['4', '18']);
    assert.deepEqual([f.first_response_low, f.resolution_low], ['18', '90']);
    const page = await admin.get('/desk/admin/sla');
    assert.match(textOf(page.text), /Eine Anfrage, die jetzt eingeht/);
  });

  it('rejects bad input with every problem named in German, keeps what was typed and stores nothing', async () => {
    const s = srv.server;
    const f = await formFields(admin);
    const res = await admin.post('/desk/admin/sla', {
      ...f, time_zone: 'Mars/Olympus_Mons', open_1: '17:00', close_1: '08:00', open_2: '8:00',
      close_2: '', open_3: '25:00', holidays: '2026-12-24 Heiligabend\n2026-02-30 Quatsch\n24.12.2026 doppelt',
      first_response_critical: 'abc', resolution_low: '2001',
    });
    assert.equal(res.status, 422);
    const text = textOf(res.text);
    assert.match(text, /„Mars\/Olympus_Mons“ ist keine bekannte Zeitzone/);
    assert.match(text, /Montag: Das Ende \(08:00\) muss nach dem Beginn \(17:00\) liegen/);
    assert.match(text, /Dienstag: Bitte Beginn und Ende der Arbeitszeit angeben/);
    assert.match(text, /Mittwoch: „25:00“ ist keine Uhrzeit/);
    assert.match(text, /Zeile 2: „2026-02-30“ ist kein Datum/);
    assert.match(text, /Zeile 3: 2026-12-24 steht zweimal in der Liste/);
    assert.match(text, /Kritisch, erste Antwort: „abc“ ist keine Dauer/);
    assert.match(text, /Niedrig, Lösung: Das Ziel muss zwischen 0:01 und 2000 Arbeitsstunden liegen/);
    const again = parseForms(res.text).find((x) => x.action === '/desk/admin/sla').fields;
    assert.equal(again.time_zone, 'Mars/Olympus_Mons');
    assert.equal(again.open_1, '17:00');
    assert.match(again.holidays, /2026-02-30 Quatsch/);
    assert.equal(again.first_response_critical, 'abc');
    assert.equal(sql(s, "SELECT value FROM settings WHERE name = 'sla_time_zone'"), 'Europe/Berlin');
    assert.equal(sql(s, 'SELECT count(*) FROM sla_holidays'), '0');
    assert.equal(sql(s, 'SELECT open_minute || \'-\' || close_minute FROM sla_hours WHERE weekday = 1'), '480-1020');
  });

  it('words the errors in English for an English-speaking admin', async () => {
    const f = await formFields(adminEn);
    const res = await adminEn.post('/desk/admin/sla', {
      ...f, time_zone: '../../etc/passwd', open_5: '', close_5: '', open_1: '', close_1: '',
      open_2: '', close_2: '', open_3: '', close_3: '', open_4: '', close_4: '',
    });
    assert.equal(res.status, 422);
    const text = textOf(res.text);
    assert.match(text, /“\.\.\/\.\.\/etc\/passwd” is not a known time zone/);
    assert.match(text, /At least one weekday needs working hours/);
  });

  it('limits holidays to 400 lines and refuses a form without the CSRF token', async () => {
    const s = srv.server;
    const f = await formFields(admin);
    const lines = [];
    for (let i = 0; i < 401; i++) lines.push(new Date(Date.UTC(2027, 0, 1) + i * 86400000).toISOString().slice(0, 10));
    const res = await admin.post('/desk/admin/sla', { ...f, holidays: lines.join('\n') });
    assert.equal(res.status, 422);
    assert.match(textOf(res.text), /Die Liste der Feiertage ist zu lang \(höchstens 400 Zeilen\)/);
    const ok400 = await admin.post('/desk/admin/sla', { ...f, holidays: lines.slice(0, 400).join('\n') });
    assert.equal(ok400.status, 303);
    assert.equal(sql(s, 'SELECT count(*) FROM sla_holidays'), '400');
    const { csrf, ...noCsrf } = f;
    const forged = await admin.post('/desk/admin/sla', { ...noCsrf, time_zone: 'UTC' });
    assert.notEqual(forged.status, 303);
    assert.equal(sql(s, "SELECT value FROM settings WHERE name = 'sla_time_zone'"), 'Europe/Berlin');
  });

  it('saves a valid form, logs it in the audit log and recomputes due times', async () => {
    const s = srv.server;
    const customer = await login(s, 'kunde@example.com');
    await setServerTime(s, berlinWinter(2026, 12, 11, 16, 30)); // Friday 16:30
    const key = await createRequest(customer, 'Friday afternoon');
    change(s, key, "priority = 'critical'");
    const before = await computed(s, key);
    // 30 min on Friday, 30 min on Monday from 08:00
    assert.equal(before.firstDue, berlinWinter(2026, 12, 14, 8, 30) + (before.created - berlinWinter(2026, 12, 11, 16, 30)));
    const f = await formFields(admin);
    const res = await admin.post('/desk/admin/sla', {
      ...f, time_zone: ' Europe/Vienna ', open_6: '09:00', close_6: '13:00',
      holidays: '24.12.2026 Heiligabend\n\n2026-12-31', first_response_critical: '0:45',
    });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/desk/admin/sla?saved=1');
    const page = await admin.get(res.location);
    assert.match(textOf(page.text), /Die SLA-Einstellungen wurden gespeichert/);
    const shown = parseForms(page.text).find((x) => x.action === '/desk/admin/sla').fields;
    assert.equal(shown.time_zone, 'Europe/Vienna');
    assert.deepEqual([shown.open_6, shown.close_6], ['09:00', '13:00']);
    assert.equal(shown.first_response_critical, '0:45');
    assert.equal(shown.holidays.trim(), '2026-12-24 Heiligabend\n2026-12-31');
    assert.equal(sql(s, "SELECT count(*) FROM audit_log WHERE action = 'sla_settings_saved' AND subject = 'Europe/Vienna'"), '1');
    // the request is recomputed: 30 min on Friday, the remaining 15 on Saturday from 09:00
    let after;
    for (let i = 0; i < 100; i++) {
      after = await computed(s, key);
      if (after.firstDue !== before.firstDue) break;
      await sleep(50);
    }
    assert.equal(after.firstDue - (after.created - berlinWinter(2026, 12, 11, 16, 30)), berlinWinter(2026, 12, 12, 9, 15));
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
