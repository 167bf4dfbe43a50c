// Admin portal settings: every field validated with German and English messages (nothing
// stored on errors), and the saved values take effect at once on every page without a
// restart - portal name, welcome text on the (cached) start page, the key prefix of the next
// request, the accent colour, the logo; the test mail reports delivery and failure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findTags, parseForms, textOf, useServer } from './lib/server.mjs';
import { addUser, sql } from './lib/fixtures.mjs';
import { errorsOf, eventually, formOn, postForm, signedInAs } from './lib/admin.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

async function settingsForm(client) {
  return formOn(client, '/desk/admin/settings', '/desk/admin/settings');
}

describe('admin settings', () => {
  const srv = useServer();

  it('rejects every invalid field with German messages and stores nothing', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const before = sql(srv.server, 'SELECT count(*) FROM settings');
    const form = await settingsForm(client);
    const res = await client.post(form.action, {
      ...form.fields, portal_name: '', accent_color: 'blau', key_prefix: 'sup-1',
      base_url: 'ftp://x', mail_from: 'kein absender', mail: 'imap://x',
      max_attachment_mb: '0', max_request_attachment_mb: 'viel', rate_login_ip: '0',
      rate_login_window: '999999999',
    });
    assert.equal(res.status, 422);
    const errors = errorsOf(res.text);
    for (const text of ['Bitte füllen Sie dieses Feld aus', 'sechs Hex-Ziffern', 'Großbuchstaben',
      'https://', 'Absender', 'maildir', 'ganze Zahl', 'Zahl von'])
      assert.match(errors, new RegExp(text), text);
    assert.equal(sql(srv.server, 'SELECT count(*) FROM settings'), before);
    // what was typed comes back
    const again = parseForms(res.text).find((f) => f.action === '/desk/admin/settings');
    assert.equal(again.fields.accent_color, 'blau');
    assert.equal(again.fields.base_url, 'ftp://x');
  });

  it('answers in English for an English admin', async () => {
    const { client } = await signedInAs(srv.server, 'admin', { lang: 'en' });
    const form = await settingsForm(client);
    const res = await client.post(form.action, { ...form.fields, accent_color: '#12345', key_prefix: '' });
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /six hex digits/);
    assert.match(errorsOf(res.text), /capital letters/);
  });

  it('applies name, welcome text, accent colour and prefix without a restart', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const visitor = srv.client();
    const home = await visitor.get('/'); // fills the start page cache
    assert.doesNotMatch(home.text, /Willkommen bei Acme/);
    const res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', {
      portal_name: 'Acme Hilfe', welcome_de: 'Willkommen bei Acme!', welcome_en: 'Welcome to Acme!',
      accent_color: '#AA3300', key_prefix: 'ACME',
    });
    assert.equal(res.status, 303, textOf(res.text).slice(0, 300));
    await eventually(async () => {
      const page = (await visitor.get('/')).text;
      assert.match(page, /Willkommen bei Acme!/);
      assert.match(page, /<title>Acme Hilfe<\/title>/);
      const link = findTags(page, 'link').map((l) => l.attrs).find((l) => (l.href || '').startsWith('/portal/theme.css'));
      assert.ok(link, 'theme stylesheet linked');
      const css = await visitor.get(link.href);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type'), /text\/css/);
      assert.match(css.text, /--accent:#aa3300/);
    });
    await eventually(async () => {
      assert.match((await visitor.get('/?lang=en')).text, /Welcome to Acme!/);
    });
    // the next request gets the new prefix (every worker thread within a second); the old
    // key keeps working
    await new Promise((r) => setTimeout(r, 1100));
    const { client: customer } = await signedInAs(srv.server, 'customer');
    const form = parseForms((await customer.get('/new/question')).text).find((f) => f.action === '/new/question');
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...form.fields, f_summary: 'Wie exportiere ich?', f_description: 'Bitte erklären.' }))
      fd.append(k, v);
    const created = await customer.request('POST', '/new/question', { body: fd });
    assert.equal(created.status, 303);
    const key = created.location.match(/\/requests\/([A-Z0-9]+-\d+)/)[1];
    assert.match(key, /^ACME-\d+$/);
    const number = key.split('-')[1];
    assert.equal((await customer.get(`/requests/SUP-${number}`)).status, 200, 'old prefix still works');
    assert.equal((await customer.get(`/requests/XYZ-${number}`)).status, 404);
    // mails use the new name
    const mail = await srv.server.waitForMail((m) => m.subject.includes(key));
    assert.match(mail.from, /Acme Hilfe/);
    // each change is in the audit log
    const audit = sql(srv.server, "SELECT subject FROM audit_log WHERE action = 'setting_change' ORDER BY id");
    for (const name of ['portal_name', 'welcome_de', 'welcome_en', 'accent_color', 'key_prefix'])
      assert.match(audit, new RegExp(name));
  });

  it('keeps the mail password masked and stores limits', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    let res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', {
      mail: 'smtp://user:geheim123@127.0.0.1:9', max_attachment_mb: '2', max_request_attachment_mb: '1',
    });
    assert.equal(res.status, 422, 'total below per-file limit');
    assert.match(errorsOf(res.text), /mindestens/);
    res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', {
      mail: 'smtp://user:geheim123@127.0.0.1:9', max_attachment_mb: '2', max_request_attachment_mb: '5',
    });
    assert.equal(res.status, 303);
    const page = (await client.get('/desk/admin/settings')).text;
    assert.doesNotMatch(page, /geheim123/);
    assert.match(page, /smtp:\/\/user:\*{8}@127\.0\.0\.1:9/);
    // saving the masked form again keeps the password
    res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', {});
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, "SELECT value FROM settings WHERE name = 'mail'"), 'smtp://user:geheim123@127.0.0.1:9');
    assert.equal(sql(srv.server, "SELECT value FROM settings WHERE name = 'max_attachment_bytes'"), String(2 * 1024 * 1024));
    assert.doesNotMatch(sql(srv.server, "SELECT detail FROM audit_log WHERE subject = 'mail'"), /geheim123/);
  });

  it('applies a changed login rate limit to the next sign-in', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', { rate_login_account: '2' });
    assert.equal(res.status, 303);
    assert.equal(sql(srv.server, "SELECT value FROM settings WHERE name = 'rate_login_account'"), '2');
    await new Promise((r) => setTimeout(r, 1100));
    addUser(srv.server, 'gesperrt@example.com', 'Gerd Gesperrt');
    const c = srv.client();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const page = await c.get('/login');
      const csrf = page.text.match(/name="csrf" value="([^"]+)"/)[1];
      statuses.push((await c.post('/login', { csrf, email: 'gesperrt@example.com', password: 'falsch falsch', step: '2' })).status);
    }
    assert.deepEqual(statuses, [422, 422, 429], 'the third attempt is over the new limit of 2');
  });

  it('applies a changed attachment limit to the customer form', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', { max_attachment_mb: '1', max_request_attachment_mb: '3' });
    assert.equal(res.status, 303);
    await new Promise((r) => setTimeout(r, 1100));
    const { client: customer } = await signedInAs(srv.server, 'customer');
    const page = await customer.get('/new/other');
    assert.match(page.text, /Bis zu 1 MB pro Datei/);
    const form = parseForms(page.text).find((f) => f.action === '/new/other');
    const fd = new FormData();
    for (const [k, v] of Object.entries({ ...form.fields, f_summary: 'Großer Anhang', f_description: 'Siehe Datei' }))
      fd.append(k, v);
    fd.append('f_files', new Blob([Buffer.alloc(1536 * 1024, 65)], { type: 'text/plain' }), 'gross.txt');
    const sent = await customer.request('POST', '/new/other', { body: fd });
    assert.equal(sent.status, 422);
    assert.match(textOf(sent.text), /gross\.txt/);
    assert.match(textOf(sent.text), /1 MB/);
  });

  it('test mail reports a failure with the SMTP error, and success over maildir', async () => {
    const { client, email } = await signedInAs(srv.server, 'admin');
    // the transport is still the unreachable SMTP server from the test before; the mail
    // worker's settings are at most a second old
    await new Promise((r) => setTimeout(r, 1100));
    let res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings/testmail');
    assert.equal(res.status, 303);
    assert.match(res.location, /testmail=\d+/);
    await eventually(async () => {
      const page = (await client.get(res.location)).text;
      assert.match(page, /data-state="failed"/);
      assert.match(page, /smtp:/);
    }, 15000);
    res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings', { mail: 'maildir' });
    assert.equal(res.status, 303);
    await new Promise((r) => setTimeout(r, 1100)); // the worker's settings snapshot
    res = await postForm(client, '/desk/admin/settings', '/desk/admin/settings/testmail');
    const mail = await srv.server.waitForMail({ to: email });
    assert.match(mail.subject, /Testmail/);
    await eventually(async () => {
      assert.match((await client.get(res.location)).text, /data-state="sent"/);
    });
    assert.match(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'test_mail'"), /^[1-9]/);
  });

  it('accepts a PNG logo by its bytes, refuses SVG, and shows it in the header', async () => {
    const { client } = await signedInAs(srv.server, 'admin');
    const page = await client.get('/desk/admin/settings');
    const form = parseForms(page.text).find((f) => f.action === '/desk/admin/settings/logo');
    const upload = (name, data, type) => {
      const fd = new FormData();
      fd.append('csrf', form.fields.csrf);
      fd.append('logo', new Blob([data], { type }), name);
      return client.request('POST', '/desk/admin/settings/logo', { body: fd });
    };
    let res = await upload('logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image/svg+xml');
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /PNG-, JPEG- oder WebP-Bild/);
    res = await upload('fake.png', 'GIF89a not really', 'image/png');
    assert.equal(res.status, 422);
    res = await upload('big.png', Buffer.concat([PNG, Buffer.alloc(600 * 1024)]), 'image/png');
    assert.equal(res.status, 422);
    assert.match(errorsOf(res.text), /512 KB/);
    res = await upload('logo.png', PNG, 'image/png');
    assert.equal(res.status, 303);
    await eventually(async () => {
      const home = (await srv.client().get('/')).text;
      const img = findTags(home, 'img').map((t) => t.attrs).find((t) => t.class === 'brand-logo');
      assert.ok(img, 'logo in the header');
      const logo = await srv.client().get(img.src);
      assert.equal(logo.status, 200);
      assert.equal(logo.headers.get('content-type'), 'image/png');
      assert.equal(logo.headers.get('x-content-type-options'), 'nosniff');
    });
    assert.equal(sql(srv.server, "SELECT count(*) FROM audit_log WHERE action = 'logo_upload' AND subject = 'image/png'"), '1');
  });

  it('stops cleanly', () => srv.stop());
});
