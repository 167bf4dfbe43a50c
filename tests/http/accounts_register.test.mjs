// accounts_register: "Registrieren" as the tutorial tells it - the page that asks only for the
// e-mail address, the "check your inbox" page, the confirmation mail (German, English, headers,
// the blue button, links from --base-url), "Registrierung abschließen" with the password rules,
// the link's lifetime and single use, no account enumeration, and the input checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  findByClass, findTags, headings, hiddenValue, parseForms, rawRequest, textOf, usingPostgres,
  useServer,
} from './lib/server.mjs';
import { GOOD, advance, login, passwordReasons, userName } from './lib/accounts.mjs';
import { linksIn } from './lib/mail.mjs';

// generous limits: every client here is 127.0.0.1 (accounts_limits tests the real ones)
const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000'];

// ---- helpers (each test file is self-contained) -----------------------------------------

/** Waits until the server's clock (re-read at most once a second) has moved by seconds. */
/** "Link senden" for email with client c; returns {page, mail, link}. */
async function sendLink(srv, c, email, { pagePath = '/register' } = {}) {
  const before = srv.server.mail().length;
  const page = await c.submitForm(pagePath, { email });
  assert.equal(page.status, 200, `POST /register for ${email}: ${textOf(page.text).slice(0, 300)}`);
  const want = email.trim().toLowerCase();
  const mail = await srv.server.waitForMail((m) => m.to.toLowerCase().includes(want),
    { after: before });
  const link = linksIn(mail).find((l) => /\/(register\/finish|reset)\?token=/.test(l));
  assert.ok(link, `a link in the mail: ${mail.text}`);
  return { page, mail, link };
}

/** Submits the finish form behind link (a fresh, logged-out client c). */
async function finish(c, link, name, password) {
  const page = await c.get(link);
  assert.equal(page.status, 200, `finish page: ${textOf(page.text).slice(0, 300)}`);
  const form = parseForms(page.text).find((f) => f.action.includes('/register/finish'));
  assert.ok(form, 'finish form');
  return c.post(new URL(form.action, link).toString(), { ...form.fields, name, password });
}

/** Registers a new account; returns the signed-in client. */
async function registerUser(srv, email, name, password = GOOD) {
  const c = srv.client();
  const { link } = await sendLink(srv, c, email);
  const r = await finish(c, link, name, password);
  assert.equal(r.status, 303, `registration of ${email}: ${textOf(r.text).slice(0, 400)}`);
  return c;
}

/** Both steps of "Anmelden". */
/** The reasons listed under a rejected password (texts of the <li>s of #password-error). */
/** The name in the page header's profile menu, or ''. */
function errorSummary(html) {
  const box = findByClass(html, 'alert-error')[0];
  if (!box) return '';
  return textOf(html.slice(box.index, html.indexOf('</div>\n</div>', box.index) + 6));
}

/** Value of the visible input with id `id`. */
function inputById(html, id) {
  return findTags(html, 'input').find((t) => t.attrs.id === id)?.attrs;
}

/** The English msgids of the strength reasons: none may show on a German page. */
const ENGLISH_REASONS = ['too short', 'too long', 'not valid UTF-8', 'a commonly used password',
  'a single dictionary word', 'contains your e-mail address', 'contains your name',
  'contains the name of the portal', 'repeats itself', 'easy to guess'];

function sqlite(dbFile, sql) {
  const r = spawnSync('sqlite3', ['-readonly', '-cmd', '.timeout 10000', dbFile, sql], { encoding: 'utf8' });
  if (r.error) return null; // not installed
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// ---- tests ------------------------------------------------------------------------------

describe('registration', () => {
  const srv = useServer({ args: LIMITS });

  it('the page asks only for the e-mail address, with the button "Link senden"', async () => {
    const page = await srv.client().get('/register');
    assert.equal(page.status, 200);
    assert.equal(findTags(page.text, 'html')[0].attrs.lang, 'de');
    const form = parseForms(page.text).find((f) => f.action === '/register');
    assert.ok(form, 'a form posting to /register');
    const formHtml = page.text.slice(page.text.indexOf('action="/register"'));
    const visible = findTags(formHtml.slice(0, formHtml.indexOf('</form>')), 'input')
      .filter((t) => (t.attrs.type || 'text') !== 'hidden');
    assert.deepEqual(visible.map((t) => [t.attrs.name, t.attrs.type]), [['email', 'email']],
      'exactly one visible field: the e-mail address');
    assert.match(textOf(formHtml.slice(0, formHtml.indexOf('</form>'))), /Link senden/);
    assert.ok(hiddenValue(page.text, 'csrf'), 'a CSRF token in the form');
  });

  it('"Link senden" shows "check your inbox" with 24 hours and mails a German link', async () => {
    const c = srv.client();
    const started = Date.now();
    const { page, mail, link } = await sendLink(srv, c, 'anna.register@example.com');
    const text = textOf(page.text);
    assert.deepEqual(headings(page.text, '1'), ['Sehen Sie in Ihr Postfach']);
    assert.match(text, /anna\.register@example\.com/);
    assert.match(text, /24 Stunden/);
    assert.match(text, /E-Mail-Adresse bestätigen/);

    // the mail: German, multipart/alternative with a text part, the headers a mail needs
    assert.equal(mail.to, 'anna.register@example.com');
    assert.match(mail.subject, /Bestätigen Sie Ihre E-Mail-Adresse/);
    assert.match(mail.header('content-type'), /^multipart\/alternative;/i);
    assert.match(mail.raw, /Content-Type: text\/plain; charset="?utf-8"?/i);
    assert.match(mail.raw, /Content-Type: text\/html; charset="?utf-8"?/i);
    assert.equal(mail.header('auto-submitted'), 'auto-generated');
    assert.match(mail.header('message-id'), /^<[^<>@\s]+@[^<>@\s]+>$/);
    assert.match(mail.from, /<?[^@\s<>]+@[^@\s<>]+>?/);
    const date = Date.parse(mail.header('date'));
    assert.ok(Math.abs(date - started) < 5 * 60 * 1000, `Date header ${mail.header('date')}`);
    assert.match(mail.raw.slice(0, mail.raw.search(/\r?\n\r?\n/)), /=\?UTF-8\?[BQ]\?/i,
      'the subject with umlauts is an encoded word');

    // the text part: the link as plain text; the HTML part: the same link on a blue button
    assert.ok(mail.text.includes(link), 'plain-text link');
    assert.match(link, new RegExp(`^${srv.url}/register/finish\\?token=[A-Za-z0-9_-]{43}$`));
    const anchors = [...mail.html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)];
    const button = anchors.find((a) => textOf(a[2]) === 'E-Mail-Adresse bestätigen');
    assert.ok(button, `a button "E-Mail-Adresse bestätigen" in the HTML: ${anchors.map((a) => textOf(a[2]))}`);
    assert.equal(button[1].replace(/&amp;/g, '&'), link, 'the button links to the same URL');
    // blue: the button's cell (or the link itself) has a background whose blue dominates
    const around = mail.html.slice(Math.max(0, button.index - 300), button.index + button[0].length);
    const bg = [...around.matchAll(/background(?:-color)?:\s*#([0-9a-f]{6})/gi)].pop();
    assert.ok(bg, 'the button has a background colour');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(bg[1].slice(i, i + 2), 16));
    assert.ok(b > r + 60 && b > g + 30, `the button is blue (#${bg[1]})`);
    assert.match(mail.text, /24 Stunden/);
  });

  it('the mail is English when the page was English (?lang=en and Accept-Language)', async () => {
    const viaQuery = srv.client();
    const page = await viaQuery.get('/register?lang=en');
    assert.equal(findTags(page.text, 'html')[0].attrs.lang, 'en');
    assert.match(textOf(page.text), /Send link/);
    const a = await sendLink(srv, viaQuery, 'english.query@example.com', { pagePath: '/register?lang=en' });
    assert.match(textOf(a.page.text), /Check your inbox/);
    assert.match(textOf(a.page.text), /24 hours/);

    const viaHeader = srv.client({ headers: { 'accept-language': 'en-GB,en;q=0.9,de;q=0.5' } });
    const b = await sendLink(srv, viaHeader, 'english.header@example.com');
    for (const { mail, link } of [a, b]) {
      assert.match(mail.subject, /^Confirm your e-mail address/);
      assert.match(mail.text, /Confirm e-mail address/);
      assert.match(mail.text, /valid for 24 hours/);
      assert.doesNotMatch(mail.text, /bestätigen|Stunden/);
      const button = [...mail.html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g)]
        .find((m) => textOf(m[2]) === 'Confirm e-mail address');
      assert.ok(button, 'English button');
      assert.equal(button[1].replace(/&amp;/g, '&'), link);
    }
  });

  it('the finish page shows the address read-only, name and password, meter and warning', async () => {
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'finish.page@example.com');
    const page = await c.get(link);
    assert.equal(page.status, 200);
    assert.deepEqual(headings(page.text, '1'), ['Registrierung abschließen']);
    const email = inputById(page.text, 'email');
    assert.equal(email.value, 'finish.page@example.com');
    assert.ok('readonly' in email, 'the address is read-only');
    assert.equal(email.name, undefined, 'the address is not a form field that could be changed');
    assert.equal(inputById(page.text, 'name').name, 'name');
    assert.equal(inputById(page.text, 'password').type, 'password');
    assert.equal(inputById(page.text, 'password').autocomplete, 'new-password');
    const meter = findByClass(page.text, 'meter')[0];
    assert.ok(meter, 'strength meter markup');
    assert.equal(meter.attrs['data-for'], 'password');
    assert.equal(meter.attrs['data-email'], 'finish.page@example.com');
    assert.ok(meter.attrs['data-t-short'] && meter.attrs['data-t-good'], 'meter texts');
    assert.ok(findByClass(page.text, 'meter-label').length === 1, 'meter label');
    const warning = findByClass(page.text, 'alert-warning')[0];
    assert.ok(warning, 'a warning box');
    assert.match(textOf(page.text.slice(warning.index, warning.index + 600)),
      /ausreichend starkes Passwort/);
    assert.equal(page.headers.get('referrer-policy'), 'same-origin',
      'the token in the URL does not leak by Referer');
  });

  // one case per rule; each gets its own link so one wrongly accepted password spoils nothing
  const WEAK = [
    { what: 'too short', email: 'weak.short@example.com', name: 'Karl Kurz', password: 'Haus Maus',
      reason: /zu kurz \(mindestens 15 Zeichen\)/ },
    { what: 'contains the e-mail local part', email: 'lotte.kaiserin@example.com', name: 'L K',
      password: 'lotte.kaiserin Fahrrad Wolke', reason: /enthält Ihre E-Mail-Adresse/ },
    { what: 'contains the name', email: 'weak.name@example.com', name: 'Bartholomäus Quenstedt',
      password: 'Quenstedt Fahrrad Wolke Tisch', reason: /enthält Ihren Namen/ },
    { what: 'a common password', email: 'weak.common@example.com', name: 'Clara Common',
      password: 'passwort123456789', reason: /häufig verwendet/ },
    { what: 'one dictionary word with decorations', email: 'weak.word@example.com',
      name: 'Greta Berg', password: 'Donaudampfschifffahrt2024!', reason: /Wörterbuch|Wort\b/ },
  ];
  for (const w of WEAK) {
    it(`rejects a password that is ${w.what}, says why in German, keeps the name (422)`, async () => {
      const c = srv.client();
      const { link } = await sendLink(srv, c, w.email);
      const r = await finish(c, link, w.name, w.password);
      assert.equal(r.status, 422, `"${w.password}" must be rejected (got ${r.status} ${r.location ?? ''})`);
      assert.match(errorSummary(r.text), /Dieses Passwort ist nicht stark genug/);
      const reasons = passwordReasons(r.text);
      const problems = [];
      if (!reasons.some((x) => w.reason.test(x)))
        problems.push(`no reason matching ${w.reason} for "${w.password}"`);
      for (const x of reasons)
        if (ENGLISH_REASONS.some((e) => x.startsWith(e))) problems.push(`reason not translated: "${x}"`);
      assert.deepEqual(problems, [], `listed: ${JSON.stringify(reasons)}`);
      assert.equal(inputById(r.text, 'name').value, w.name, 'the name stays');
      assert.equal(inputById(r.text, 'email').value, w.email);
      assert.equal(inputById(r.text, 'password').value ?? '', '', 'the password is not echoed');
      assert.ok(!r.text.includes(w.password), 'the password appears nowhere in the page');
      assert.ok(!(r.headers.get('set-cookie') || '').includes('pf_session='), 'not signed in');
    });
  }

  it('an English page lists the reasons in English', async () => {
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'weak.english@example.com', { pagePath: '/register?lang=en' });
    const r = await finish(c, link, 'Eve English', 'short one');
    assert.equal(r.status, 422);
    assert.match(errorSummary(r.text), /This password is not strong enough/);
    assert.ok(passwordReasons(r.text).some((x) => /too short \(at least 15 characters\)/.test(x)));
  });

  it('a good passphrase signs in: the header shows the name and "Anfragen"', async () => {
    const c = srv.client();
    await c.get('/register');
    const preCookie = c.cookie('pf_pre');
    const { link } = await sendLink(srv, c, 'gerda.gut@example.com');
    const r = await finish(c, link, '  Gerda Gut  ', GOOD);
    assert.equal(r.status, 303);
    assert.equal(r.location, '/');
    const session = c.cookie('pf_session');
    assert.match(session, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(session, preCookie);
    const home = await c.get('/');
    assert.equal(home.status, 200);
    assert.equal(userName(home.text), 'Gerda Gut', 'the header shows the (trimmed) name');
    const requests = findByClass(home.text, 'nav-requests')[0];
    assert.ok(requests, 'the "Anfragen" button');
    assert.equal(requests.attrs.href, '/requests');
    assert.match(textOf(home.text.slice(requests.index, home.text.indexOf('</a>', requests.index))), /^Anfragen$/);
    // the new password works for a later login
    const other = srv.client();
    assert.equal((await login(other, 'gerda.gut@example.com', GOOD)).status, 303);
  });

  it('a browser can send the finish form (the Origin it sends under the page\'s Referrer-Policy)', async () => {
    // Browsers send "Origin: null" with a form POST from a page served with
    // "Referrer-Policy: no-referrer" (Fetch standard, "append a request Origin header").
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'browser.origin@example.com');
    const page = await c.get(link);
    const policy = page.headers.get('referrer-policy');
    const origin = policy === 'no-referrer' ? 'null' : new URL(srv.url).origin;
    const form = parseForms(page.text).find((f) => f.action.includes('/register/finish'));
    const r = await c.post('/register/finish', { ...form.fields, name: 'Bruno Browser', password: GOOD },
      { origin });
    assert.equal(r.status, 303, `the finish page says Referrer-Policy: ${policy}, so a browser ` +
      `posts it with Origin: ${origin}; the portal answered ${r.status} ${headings(r.text, '1')}`);
  });

  it('lands on the page given as next= at registration; foreign next is ignored', async () => {
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'next.page@example.com', { pagePath: '/register?next=/requests' });
    const r = await finish(c, link, 'Nina Next', GOOD);
    assert.equal(r.status, 303);
    assert.equal(r.location, '/requests');

    const d = srv.client();
    const evil = await sendLink(srv, d, 'next.evil@example.com',
      { pagePath: '/register?next=' + encodeURIComponent('//evil.example/x') });
    const r2 = await finish(d, evil.link, 'Eva Evil', GOOD);
    assert.equal(r2.status, 303);
    assert.equal(r2.location, '/');
  });

  it('a link works once: the second use shows the invalid-link page', async () => {
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'twice@example.com');
    const token = new URL(link).searchParams.get('token');
    assert.equal((await finish(c, link, 'Tom Twice', GOOD)).status, 303);
    const d = srv.client();
    const again = await d.get(link);
    assert.equal(again.status, 410);
    assert.deepEqual(headings(again.text, '1'), ['Dieser Link ist nicht mehr gültig']);
    const newLink = findTags(again.text, 'a').find((a) => a.attrs.href === '/register');
    assert.ok(newLink, 'a way to request a new link');
    // posting the used token directly fails the same way
    const replay = await d.post('/register/finish', { csrf: hiddenValue((await d.get('/register')).text, 'csrf'),
      token, name: 'Mallory', password: GOOD });
    assert.equal(replay.status, 410);
  });

  it('a new link supersedes the older one', async () => {
    const c = srv.client();
    const first = await sendLink(srv, c, 'supersede@example.com');
    const second = await sendLink(srv, c, 'supersede@example.com');
    assert.notEqual(first.link, second.link);
    assert.equal((await srv.client().get(first.link)).status, 410, 'the older link is dead');
    assert.equal((await srv.client().get(second.link)).status, 200, 'the newer link works');
  });

  it('garbage, unknown and missing tokens show the invalid-link page', async () => {
    const c = srv.client();
    for (const q of ['?token=abc', '?token=' + 'A'.repeat(43), '', '?token=%3Cscript%3E',
      '?token=' + 'A'.repeat(2000)]) {
      const r = await c.get('/register/finish' + q);
      assert.equal(r.status, 410, `/register/finish${q.slice(0, 40)}`);
      assert.deepEqual(headings(r.text, '1'), ['Dieser Link ist nicht mehr gültig']);
      assert.ok(!r.text.includes('<script>'));
    }
  });

  it('the database keeps only the SHA-256 of mailed tokens and session cookies', async (t) => {
    if (usingPostgres()) return t.skip('sqlite3 check only on SQLite');
    const dbFile = path.join(srv.server.dataDir, 'pforte.db');
    if (sqlite(dbFile, 'select 1') === null) return t.skip('sqlite3 CLI not installed');
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'hashed@example.com');
    const token = new URL(link).searchParams.get('token');
    const rows = sqlite(dbFile, "select token_hash from email_tokens where email = 'hashed@example.com'")
      .trim().split('\n');
    assert.equal(rows.length, 1);
    assert.match(rows[0], /^[0-9a-f]{64}$/);
    assert.notEqual(rows[0], token);
    assert.equal(rows[0], createHash('sha256').update(token).digest('hex'));
    const dump = spawnSync('sqlite3', ['-readonly', '-cmd', '.timeout 10000', dbFile, '.dump'], { encoding: 'utf8' }).stdout;
    assert.ok(!dump.includes(token), 'the raw token is nowhere in the database');
    assert.equal((await finish(c, link, 'Hanna Hash', GOOD)).status, 303);
    const cookie = c.cookie('pf_session');
    const hashes = sqlite(dbFile, 'select token_hash from sessions').trim().split('\n');
    assert.ok(hashes.includes(createHash('sha256').update(cookie).digest('hex')));
    assert.ok(!spawnSync('sqlite3', ['-readonly', '-cmd', '.timeout 10000', dbFile, '.dump'], { encoding: 'utf8' })
      .stdout.includes(cookie), 'the raw session cookie is nowhere in the database');
  });

  it('an address with an account: the same page, a different mail, no new account', async () => {
    const known = 'enum.known@example.com';
    const unknown = 'enum.unknown@example.com';
    await registerUser(srv, known, 'Konrad Known');
    const c = srv.client();
    const a = await sendLink(srv, c, known);
    const b = await sendLink(srv, c, unknown);
    assert.equal(a.page.status, b.page.status);
    const norm = (text, email) => text.split(email).join('EMAIL')
      .replace(/name="csrf" value="[^"]*"/g, 'name="csrf"');
    assert.equal(norm(a.page.text, known), norm(b.page.text, unknown),
      'the pages differ only in the address');
    assert.deepEqual([...a.page.headers.keys()].filter((k) => k !== 'date').sort(),
      [...b.page.headers.keys()].filter((k) => k !== 'date').sort());
    // the known address is told it has an account, with a reset link instead
    assert.match(a.mail.subject, /bereits ein Konto/);
    assert.match(a.link, /\/reset\?token=/);
    assert.ok(!linksIn(a.mail).some((l) => l.includes('/register/finish')));
    assert.match(b.mail.subject, /Bestätigen Sie Ihre E-Mail-Adresse/);
    assert.match(b.link, /\/register\/finish\?token=/);
    // the account is untouched: the old password still works, the reset link offers a reset
    assert.equal((await login(srv.client(), known, GOOD)).status, 303);
    const reset = await srv.client().get(a.link);
    assert.equal(reset.status, 200);
    assert.match(textOf(reset.text), /Neues Passwort wählen/);
  });

  it('the e-mail address is trimmed and compared without case', async () => {
    const c = srv.client();
    const { mail, link } = await sendLink(srv, c, '  Foo.Case@Example.COM ');
    assert.equal(mail.to, 'foo.case@example.com');
    assert.equal((await finish(c, link, 'Fritz Foo', GOOD)).status, 303);
    assert.equal((await login(srv.client(), 'foo.case@example.com', GOOD)).status, 303);
    assert.equal((await login(srv.client(), ' FOO.CASE@example.com ', GOOD)).status, 303);
    const again = await sendLink(srv, srv.client(), 'FOO.case@EXAMPLE.com');
    assert.match(again.mail.subject, /bereits ein Konto/, 'the same account whatever the case');
  });

  it('invalid addresses get a clear 422 in the page language, and no mail', async () => {
    const c = srv.client();
    const bad = ['not-an-email', 'a@b.de\r\nBcc: victim@example.org', 'a@b.de%0aBcc:',
      'a@b.de\nBcc: victim@example.org', `${'x'.repeat(250)}@example.com`, '@example.com',
      'a b@example.com', 'a@', ''];
    for (const email of bad) {
      const r = await c.submitForm('/register', { email });
      assert.equal(r.status, 422, `${JSON.stringify(email.slice(0, 40))}: ${r.status}`);
      assert.match(errorSummary(r.text), email ? /Bitte geben Sie eine gültige E-Mail-Adresse ein/
        : /Bitte geben Sie Ihre E-Mail-Adresse ein/);
      assert.equal(findByClass(r.text, 'has-error').length, 1, 'the field is marked');
    }
    // the encoded newline sent raw in the body, as an attacker would
    const page = await c.get('/register');
    const raw = await c.request('POST', '/register', {
      body: `csrf=${hiddenValue(page.text, 'csrf')}&email=a%40b.de%0D%0ABcc%3A%20victim%40example.org`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(raw.status, 422);
    const en = await c.submitForm('/register?lang=en', { email: 'still wrong' });
    assert.equal(en.status, 422);
    assert.match(errorSummary(en.text), /Please enter a valid e-mail address/);
    // a valid registration afterwards: its mail is queued after anything the bad ones queued
    await sendLink(srv, c, 'after.bad@example.com');
    for (const m of srv.server.mail())
      assert.ok(!/victim|^a@b\.de/i.test(m.to) && !/victim/i.test(m.header('bcc') || ''),
        `no mail from an invalid address: ${m.to}`);
  });

  it('names: over 200 characters and invalid UTF-8 get a clear 422; 200 are fine', async () => {
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'long.name@example.com');
    const tooLong = await finish(c, link, 'N'.repeat(201), GOOD);
    assert.equal(tooLong.status, 422);
    assert.match(errorSummary(tooLong.text), /höchstens 200 Zeichen/);
    const en = srv.client({ headers: { 'accept-language': 'en-US,en;q=0.8' } });
    const tooLongEn = await finish(en, link, 'N'.repeat(201), GOOD);
    assert.equal(tooLongEn.status, 422);
    assert.match(errorSummary(tooLongEn.text), /Please enter a name of at most 200 characters/);
    const ctrl = await finish(c, link, 'Nora\u0007Name', GOOD);
    assert.equal(ctrl.status, 422);
    assert.match(errorSummary(ctrl.text), /Steuerzeichen/);

    // raw bytes that are not UTF-8 (a Latin-1 "ä"), percent-encoded and as they are
    const page = await c.get(link);
    const form = parseForms(page.text).find((f) => f.action.includes('/register/finish'));
    const fields = new URLSearchParams({ ...form.fields, password: GOOD }).toString();
    for (const nameBytes of [Buffer.from('name=J%E4ger&'), Buffer.from([...Buffer.from('name=J'), 0xe4, ...Buffer.from('ger&')])]) {
      const r = await c.request('POST', '/register/finish', {
        body: Buffer.concat([nameBytes, Buffer.from(fields)]),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(r.status, 422, `invalid UTF-8 in the name: status ${r.status} ` +
        `(${headings(r.text, '1')}) - the form must come back with a message`);
      const summary = errorSummary(r.text);
      assert.match(summary, /Name/, 'the message is about the name');
      assert.doesNotMatch(summary, /200 Zeichen/, `the message names the real problem: ${summary}`);
    }
    const ok = await finish(c, link, 'ä'.repeat(200), GOOD);
    assert.equal(ok.status, 303, '200 characters (400 bytes) are allowed');
  });

  it('expires after 24 hours with a way to request a new link', async () => {
    // last in this describe: it moves the server's clock
    const c = srv.client();
    const { link } = await sendLink(srv, c, 'expiry@example.com');
    await advance(srv.server, 24 * 3600 - 120);
    assert.equal((await srv.client().get(link)).status, 200, 'still valid after 23 h 58 min');
    await advance(srv.server, 180);
    const r = await srv.client().get(link);
    assert.equal(r.status, 410);
    assert.deepEqual(headings(r.text, '1'), ['Dieser Link ist nicht mehr gültig']);
    const again = findTags(r.text, 'a').find((a) => a.attrs.href === '/register');
    assert.ok(again, 'a link to /register');
    assert.match(textOf(r.text), /Neuen Registrierungslink senden/);
    const page = await c.get('/register');
    const post = await c.post('/register/finish', { csrf: hiddenValue(page.text, 'csrf'),
      token: new URL(link).searchParams.get('token'), name: 'Ex Pired', password: GOOD });
    assert.equal(post.status, 410, 'the expired token cannot be posted either');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('mailed links use --base-url, never the Host header', () => {
  const BASE = 'http://portal.example:1234';
  const srv = useServer({ args: [...LIMITS, '--base-url', BASE] });

  it('the confirmation link starts with the base URL', async () => {
    const c = srv.client({ headers: { origin: BASE } });
    const page = await c.get('/register');
    const body = new URLSearchParams({ csrf: hiddenValue(page.text, 'csrf'), next: '',
      email: 'host.header@example.com' }).toString();
    const res = await rawRequest(srv.server.port,
      `POST /register HTTP/1.1\r\nHost: evil.example:666\r\nOrigin: ${BASE}\r\n` +
      `Cookie: ${c.cookieHeader()}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.equal(res.status, 200);
    const mail = await srv.server.waitForMail({ to: 'host.header@example.com' });
    const links = linksIn(mail);
    assert.ok(links.length > 0);
    for (const l of links) {
      assert.ok(l.startsWith(BASE + '/'), `${l} starts with ${BASE}`);
      assert.ok(!l.includes('evil.example') && !l.includes('127.0.0.1'));
    }
    assert.ok(links.some((l) => l.startsWith(`${BASE}/register/finish?token=`)));
    assert.ok(!mail.html.includes('evil.example') && !mail.html.includes('127.0.0.1'));
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
