// accounts_profile: the signed-in customer's profile - name, language (of pages and of later
// mails), notifications, the password change that needs the current password, the list of
// active sessions with their devices, ending sessions (only one's own) - and the CSRF and
// Origin checks that guard every one of these forms.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findTags, headings, hiddenValue, parseForms, textOf, useServer } from './lib/server.mjs';
import { GOOD, errorSummary, login, registerUser, signedIn, userName } from './lib/accounts.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000',
  '--rate-login-account', '100'];
const NEW = 'Pinguin Harfe Sandburg Nebel';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

// ---- helpers (each test file is self-contained) -----------------------------------------

async function loggedInClient(srv, email, password = GOOD, userAgent) {
  const c = srv.client(userAgent ? { headers: { 'user-agent': userAgent } } : undefined);
  const r = await login(c, email, password);
  assert.equal(r.status, 303, `login ${email}: ${textOf(r.text).slice(0, 300)}`);
  return c;
}

/** The profile's form posting to action, as parseForms gives it. */
function profileForm(html, action) {
  const f = parseForms(html).find((x) => x.action === action);
  assert.ok(f, `a form posting to ${action}`);
  return f;
}

/** Rows of "Aktive Sitzungen": [{id, text, current}]. */
function sessionRows(html) {
  const list = html.slice(html.indexOf('class="session-list"'));
  const body = list.slice(0, list.indexOf('</ul>'));
  return body.split('<li>').slice(1).map((li) => ({
    id: Number(li.match(/action="\/profile\/sessions\/(\d+)\/end"/)?.[1]),
    text: textOf(li),
    current: /dieses Gerät|this device/.test(textOf(li)),
  }));
}

async function saveProfile(c, values) {
  const page = await c.get('/profile');
  const form = profileForm(page.text, '/profile');
  const fields = { ...form.fields, ...values };
  for (const [k, v] of Object.entries(fields)) if (v === undefined) delete fields[k];
  return c.post('/profile', fields);
}

// ---- tests ------------------------------------------------------------------------------

describe('profile', () => {
  const srv = useServer({ args: LIMITS });

  it('shows the details; a new name shows in the form and the header', async () => {
    const c = await registerUser(srv, 'paula.profil@example.com', 'Paula Profil');
    const page = await c.get('/profile');
    assert.equal(page.status, 200);
    assert.deepEqual(headings(page.text, '1'), ['Ihr Profil']);
    const form = profileForm(page.text, '/profile');
    assert.equal(form.fields.name, 'Paula Profil');
    assert.equal(form.fields.lang, 'de');
    assert.equal(form.fields.notify, '1', 'notifications are on for a new account');
    assert.equal(findTags(page.text, 'input').find((t) => t.attrs.id === 'email').attrs.value,
      'paula.profil@example.com');

    const r = await saveProfile(c, { name: 'Paula Neuname' });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/profile');
    const after = await c.get('/profile');
    assert.match(textOf(after.text), /Ihr Profil wurde gespeichert/);
    assert.equal(profileForm(after.text, '/profile').fields.name, 'Paula Neuname');
    assert.equal(userName(after.text), 'Paula Neuname');
  });

  it('refuses bad input with 422 and the form as typed', async () => {
    const c = await loggedInClient(srv, 'paula.profil@example.com');
    const empty = await saveProfile(c, { name: '   ' });
    assert.equal(empty.status, 422);
    assert.match(errorSummary(empty.text), /Bitte geben Sie Ihren Namen ein/);
    const long = await saveProfile(c, { name: 'x'.repeat(201) });
    assert.equal(long.status, 422);
    assert.match(errorSummary(long.text), /höchstens 200 Zeichen/);
    assert.equal(profileForm(long.text, '/profile').fields.name, 'x'.repeat(201), 'kept as typed');
    const lang = await saveProfile(c, { lang: 'fr' });
    assert.equal(lang.status, 422);
    assert.match(errorSummary(lang.text), /Bitte wählen Sie Deutsch oder Englisch/);
    assert.equal(profileForm((await c.get('/profile')).text, '/profile').fields.name, 'Paula Neuname',
      'nothing was saved');
  });

  it('the notify checkbox can be switched off and on', async () => {
    const c = await loggedInClient(srv, 'paula.profil@example.com');
    assert.equal((await saveProfile(c, { notify: undefined })).status, 303);
    assert.equal(profileForm((await c.get('/profile')).text, '/profile').fields.notify, undefined,
      'unchecked after saving without it');
    assert.equal((await saveProfile(c, { notify: '1' })).status, 303);
    assert.equal(profileForm((await c.get('/profile')).text, '/profile').fields.notify, '1');
  });

  it('the language applies to pages and to later mails', async () => {
    const email = 'ella.english@example.com';
    const c = await registerUser(srv, email, 'Ella English');
    assert.equal((await saveProfile(c, { lang: 'en' })).status, 303);
    const page = await c.get('/profile');
    assert.equal(findTags(page.text, 'html')[0].attrs.lang, 'en');
    assert.deepEqual(headings(page.text, '1'), ['Your profile']);
    // another device without any language cookie: the account's language wins over the default
    const d = await loggedInClient(srv, email);
    const home = await d.get('/');
    assert.equal(findTags(home.text, 'html')[0].attrs.lang, 'en', 'English from the profile');
    // a reset mail, asked for from a German page, comes in the account's language
    const before = srv.server.mail().length;
    const anon = srv.client();
    await anon.get('/forgot?lang=de');
    assert.equal((await anon.submitForm('/forgot', { email })).status, 200);
    const mail = await srv.server.waitForMail({ to: email }, { after: before });
    assert.match(mail.subject, /^Reset your password/);
    assert.match(mail.text, /Choose a new password/);
    assert.doesNotMatch(mail.text, /Passwort/);
    // and back to German
    assert.equal((await saveProfile(c, { lang: 'de' })).status, 303);
    const before2 = srv.server.mail().length;
    assert.equal((await srv.client().submitForm('/forgot', { email })).status, 200);
    const mail2 = await srv.server.waitForMail({ to: email }, { after: before2 });
    assert.match(mail2.subject, /^Passwort zurücksetzen/);
  });

  it('the password change needs the current password, keeps this session, ends the others', async () => {
    const email = 'peter.wechsel@example.com';
    const c = await registerUser(srv, email, 'Peter Wechsel');
    const other = await loggedInClient(srv, email);
    const change = async (current, password) => {
      const page = await c.get('/profile');
      const form = profileForm(page.text, '/profile/password');
      return c.post('/profile/password', { ...form.fields, current_password: current, password });
    };
    const wrong = await change('Falsches Passwort Sowieso', NEW);
    assert.equal(wrong.status, 422);
    assert.match(errorSummary(wrong.text), /Das aktuelle Passwort ist nicht richtig/);
    assert.ok(!wrong.text.includes(NEW), 'no password echoed');
    assert.ok(await signedIn(other), 'a refused change ends nothing');
    const weak = await change(GOOD, 'zu kurz');
    assert.equal(weak.status, 422);
    assert.match(errorSummary(weak.text), /Dieses Passwort ist nicht stark genug/);

    const ok = await change(GOOD, NEW);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/profile');
    const page = await c.get('/profile');
    assert.equal(page.status, 200, 'this session lives on');
    assert.match(textOf(page.text), /Ihr neues Passwort wurde gespeichert/);
    assert.equal(await signedIn(other), false, 'the other session has ended');
    assert.equal((await login(srv.client(), email, GOOD)).status, 422, 'the old password is dead');
    assert.equal((await login(srv.client(), email, NEW)).status, 303, 'the new one works');
  });

  it('lists the sessions with their devices; another one can be ended', async () => {
    const email = 'susi.sessions@example.com';
    await registerUser(srv, email, 'Susi Sessions');
    const firefox = await loggedInClient(srv, email, GOOD, FIREFOX_WINDOWS);
    const chrome = await loggedInClient(srv, email, GOOD, CHROME_LINUX);
    const page = await firefox.get('/profile');
    const rows = sessionRows(page.text);
    assert.ok(rows.length >= 3, `three sessions: ${JSON.stringify(rows)}`);
    const mine = rows.filter((r) => r.current);
    assert.equal(mine.length, 1, 'exactly one row is "dieses Gerät"');
    assert.match(mine[0].text, /Firefox · Windows/);
    const chromeRow = rows.find((r) => /Chrome · Linux/.test(r.text));
    assert.ok(chromeRow && !chromeRow.current, `a row for Chrome on Linux: ${JSON.stringify(rows)}`);
    assert.match(chromeRow.text, /127\.0\.0\.1/);
    assert.match(chromeRow.text, /Sitzung beenden/);

    const end = await firefox.post(`/profile/sessions/${chromeRow.id}/end`,
      { csrf: hiddenValue(page.text, 'csrf') });
    assert.equal(end.status, 303);
    assert.equal(await signedIn(chrome), false, 'the Chrome session has ended');
    const after = await firefox.get('/profile');
    assert.match(textOf(after.text), /Die Sitzung wurde beendet/);
    assert.ok(!sessionRows(after.text).some((r) => r.id === chromeRow.id), 'gone from the list');

    // ending this device's own session logs out here
    const own = await firefox.post(`/profile/sessions/${mine[0].id}/end`,
      { csrf: hiddenValue(after.text, 'csrf') });
    assert.equal(own.status, 303);
    assert.equal(await signedIn(firefox), false);
  });

  it("a customer cannot end someone else's session", async () => {
    await registerUser(srv, 'vera.victim@example.com', 'Vera Victim');
    await registerUser(srv, 'mark.mallory@example.com', 'Mark Mallory');
    const victim = await loggedInClient(srv, 'vera.victim@example.com');
    const victimRows = sessionRows((await victim.get('/profile')).text);
    const mallory = await loggedInClient(srv, 'mark.mallory@example.com');
    const csrf = hiddenValue((await mallory.get('/profile')).text, 'csrf');
    for (const row of victimRows) {
      const r = await mallory.post(`/profile/sessions/${row.id}/end`, { csrf });
      assert.ok(r.status < 500, `status ${r.status}`);
    }
    assert.ok(await signedIn(victim), "the victim's session is untouched");
    assert.equal(sessionRows((await victim.get('/profile')).text).length, victimRows.length);
    assert.ok(await signedIn(mallory), 'and the caller is still who they were');
  });

  it('CSRF: a POST without or with a wrong token gets 403 "form expired" and changes nothing', async () => {
    const c = await loggedInClient(srv, 'paula.profil@example.com');
    const page = await c.get('/profile');
    const form = profileForm(page.text, '/profile');
    const attempts = [
      { what: 'no token', fields: { name: 'Hacked', lang: 'de' } },
      { what: 'empty token', fields: { csrf: '', name: 'Hacked', lang: 'de' } },
      { what: 'wrong token', fields: { csrf: 'x'.repeat(form.fields.csrf.length), name: 'Hacked', lang: 'de' } },
    ];
    // a token from before login (the pf_pre cookie of another visit) is no good either
    const anon = srv.client();
    const pre = hiddenValue((await anon.get('/login')).text, 'csrf');
    attempts.push({ what: 'pre-login token', fields: { csrf: pre, name: 'Hacked', lang: 'de' } });
    for (const a of attempts) {
      const r = await c.post('/profile', a.fields);
      assert.equal(r.status, 403, a.what);
      assert.deepEqual(headings(r.text, '1'), ['Formular abgelaufen'], a.what);
      assert.match(textOf(r.text), /Es wurde nichts geändert/);
    }
    const name = profileForm((await c.get('/profile')).text, '/profile').fields.name;
    assert.notEqual(name, 'Hacked');
    // logout and the password change are guarded alike
    assert.equal((await c.post('/logout', {})).status, 403);
    assert.equal((await c.post('/profile/password', { current_password: GOOD, password: NEW })).status, 403);
    assert.ok(await signedIn(c), 'still signed in');
  });

  it('CSRF: a foreign Origin gets 403 even with the right token', async () => {
    const c = await loggedInClient(srv, 'paula.profil@example.com');
    const page = await c.get('/profile');
    const form = profileForm(page.text, '/profile');
    for (const origin of ['https://evil.example', 'null', srv.url.replace('127.0.0.1', 'localhost'),
      srv.url + '.evil.example']) {
      const r = await c.post('/profile', { ...form.fields, name: 'Cross Site' }, { origin });
      assert.equal(r.status, 403, `Origin: ${origin}`);
    }
    assert.notEqual(profileForm((await c.get('/profile')).text, '/profile').fields.name, 'Cross Site');
    // the portal's own origin, and no Origin at all (older browsers), are fine with the token
    assert.equal((await c.post('/profile', { ...form.fields }, { origin: false })).status, 303);
    // before login too: "Link senden" from a foreign site
    const anon = srv.client();
    const reg = await anon.get('/register');
    const r = await anon.post('/register', { csrf: hiddenValue(reg.text, 'csrf'),
      email: 'cross.site@example.com' }, { origin: 'https://evil.example' });
    assert.equal(r.status, 403);
    const login403 = await anon.post('/login', { email: 'paula.profil@example.com' });
    assert.equal(login403.status, 403, 'login without a token');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
