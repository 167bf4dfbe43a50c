// Admin pages for outgoing mail and the audit log: every message with its state (queued,
// sending, sent, retrying with the last error, failed), the state filter, "Jetzt erneut
// senden" for failed and retrying mail; the audit log searchable by actor, action and text,
// paged, and read-only (no route changes it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findByClass, useServer } from './lib/server.mjs';
import { addUser, sql } from './lib/fixtures.mjs';
import { csrfOf, eventually, signedInAs } from './lib/admin.mjs';

function insertMail(server, to, state, attempts, error) {
  const msg = `To: ${to}\r\nFrom: x@example.com\r\nSubject: Test ${state}\r\n\r\nHallo\r\n`;
  const id = Number(sql(server, `INSERT INTO outbox (recipient, subject, state, attempts, ` +
    `next_attempt_at, last_error, created_at) VALUES ('${to}', 'Test ${state}', ` +
    `'${state}', ${attempts}, 4000000000, '${error}', 1) RETURNING id`));
  // the message bytes live in outbox_bodies (migration 004); a plain literal suits both databases
  sql(server, `INSERT INTO outbox_bodies (outbox_id, message) VALUES (${id}, '${msg.replace(/'/g, "''")}')`);
  return id;
}

function rows(html) {
  return findByClass(html, 'outbox-row').map((r) => ({ id: r.attrs['data-id'], state: r.attrs['data-state'] }));
}

describe('admin outbox and audit log', () => {
  const srv = useServer();

  it('lists mail with states and errors, filters by state, retries failed and retrying mail', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const failed = insertMail(srv.server, 'kaputt@example.com', 'failed', 9, 'smtp: 550 mailbox unavailable');
    const retrying = insertMail(srv.server, 'spaeter@example.com', 'queued', 2, 'smtp: connection refused');
    let page = (await client.get('/desk/admin/outbox')).text;
    const all = rows(page);
    assert.ok(all.find((r) => r.id === String(failed) && r.state === 'failed'));
    assert.ok(all.find((r) => r.id === String(retrying) && r.state === 'retrying'));
    assert.match(page, /550 mailbox unavailable/);
    assert.match(page, /Jetzt erneut senden/);
    page = (await client.get('/desk/admin/outbox?state=failed')).text;
    assert.deepEqual(rows(page).map((r) => r.state), ['failed']);
    page = (await client.get('/desk/admin/outbox?state=retrying')).text;
    assert.deepEqual(rows(page).map((r) => r.id), [String(retrying)]);
    const csrf = await csrfOf(client, '/desk/admin/outbox');
    for (const id of [failed, retrying]) {
      const res = await client.post(`/desk/admin/outbox/${id}/retry`, { csrf });
      assert.equal(res.status, 303);
    }
    // the worker delivers them now (maildir)
    await srv.server.waitForMail({ to: 'kaputt@example.com' });
    await srv.server.waitForMail({ to: 'spaeter@example.com' });
    await eventually(async () => {
      assert.equal(sql(srv.server, `SELECT state FROM outbox WHERE id = ${failed}`), 'sent');
    });
    page = (await client.get('/desk/admin/outbox?state=sent')).text;
    assert.ok(rows(page).find((r) => r.id === String(failed)));
    // a sent mail cannot be retried
    const again = await client.post(`/desk/admin/outbox/${failed}/retry`, { csrf });
    assert.equal(again.status, 409);
    assert.match(again.text, /wartet nicht auf einen neuen Versuch/);
    assert.equal((await client.post('/desk/admin/outbox/999999/retry', { csrf })).status, 404);
    assert.equal(Number(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'mail_retry'")), 2);
  });

  it('records sign-ins (also failed ones) and searches by actor, action and text', async () => {
    const { client, email } = await signedInAs(srv.server, 'admin');
    addUser(srv.server, 'falsch@example.com', 'Fritz Falsch');
    const c = srv.client();
    const form = await c.get('/login');
    const csrf = form.text.match(/name="csrf" value="([^"]+)"/)[1];
    const bad = await c.post('/login', { csrf, email: 'falsch@example.com', password: 'nicht richtig', step: '2' });
    assert.notEqual(bad.status, 303);
    let page = (await client.get('/desk/admin/audit?action=login_failed')).text;
    assert.match(page, /falsch@example\.com/);
    assert.doesNotMatch(page, /<code>login<\/code>/);
    page = (await client.get(`/desk/admin/audit?actor=${encodeURIComponent(email)}&action=login`)).text;
    assert.match(page, /<code>login<\/code>/);
    page = (await client.get('/desk/admin/audit?q=FALSCH')).text;
    assert.match(page, /falsch@example\.com/);
    assert.match(page, /nie geändert oder gelöscht/);
  });

  it('pages through many entries and has no way to change them', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    sql(srv.server, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120) " +
      "INSERT INTO audit_log (at, action, subject) SELECT i, 'bulk_test', 'eintrag-' || i FROM n");
    const first = (await client.get('/desk/admin/audit?action=bulk_test')).text;
    assert.equal(findByClass(first, 'audit-row').length, 50);
    assert.match(first, /eintrag-120/);
    const next = first.match(/href="(\/desk\/admin\/audit\?[^"]*before=\d+)"/)[1].replace(/&amp;/g, '&');
    const second = (await client.get(next)).text;
    assert.equal(findByClass(second, 'audit-row').length, 50);
    assert.match(second, /eintrag-70\b/);
    assert.doesNotMatch(second, /eintrag-71\b/);
    const csrf = await csrfOf(client);
    for (const url of ['/desk/admin/audit', '/desk/admin/audit/1', '/desk/admin/audit/1/delete']) {
      const res = await client.post(url, { csrf });
      assert.ok([404, 405].includes(res.status), `${url}: ${res.status}`);
    }
  });

  it('stops cleanly', () => srv.stop());
});
