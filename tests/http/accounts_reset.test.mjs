// accounts_reset: "Passwort vergessen?" as the tutorial tells it - from login step 2 or the
// /forgot page, the same answer for known and unknown addresses, the mailed link that works
// once and for 60 minutes, the strength rules for the new password, and what a reset does:
// sign in here, sign out every other device, retire the old password.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  findByClass, findTags, headings, hiddenValue, parseForms, textOf, useServer,
} from './lib/server.mjs';
import { GOOD, advance, errorSummary, login, passwordReasons, registerUser, signedIn } from './lib/accounts.mjs';
import { linksIn } from './lib/mail.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000',
  '--rate-login-account', '100'];
const NEW = 'Pinguin Harfe Sandburg Nebel';

// ---- helpers (each test file is self-contained) -----------------------------------------

/** "Passwort vergessen?" on /forgot; returns {page, mail, link} (mail only when expected). */
async function forgot(srv, c, email, { expectMail = true } = {}) {
  const before = srv.server.mail().length;
  const page = await c.submitForm('/forgot', { email });
  if (!expectMail) return { page };
  const mail = await srv.server.waitForMail({ to: email }, { after: before });
  const link = linksIn(mail).find((l) => l.includes('/reset?token='));
  assert.ok(link, `a reset link: ${mail.text}`);
  return { page, mail, link };
}

async function submitReset(c, link, password) {
  const page = await c.get(link);
  assert.equal(page.status, 200, `reset page: ${textOf(page.text).slice(0, 200)}`);
  const form = parseForms(page.text).find((f) => f.action === '/reset');
  assert.ok(form, 'reset form');
  return c.post('/reset', { ...form.fields, password });
}

// ---- tests ------------------------------------------------------------------------------

describe('password reset', () => {
  const srv = useServer({ args: LIMITS });

  it('"Passwort vergessen?" at the bottom of login step 2 mails a reset link', async () => {
    await registerUser(srv, 'rita.reset@example.com', 'Rita Reset');
    const c = srv.client();
    const step2 = await c.submitForm('/login', { email: 'rita.reset@example.com' });
    const forms = parseForms(step2.text);
    const forgotForm = forms.find((f) => f.action === '/forgot');
    assert.ok(forgotForm, 'a "Passwort vergessen?" form on step 2');
    assert.equal(forgotForm.fields.email, 'rita.reset@example.com', 'it carries the address');
    assert.ok(forms.indexOf(forgotForm) > forms.findIndex((f) => f.fields.step === '2'),
      'below the password form');
    assert.match(textOf(step2.text.slice(step2.text.indexOf('action="/forgot"'))),
      /^[^<]*Passwort vergessen\?/);
    const before = srv.server.mail().length;
    const sent = await c.post('/forgot', forgotForm.fields);
    assert.equal(sent.status, 200);
    assert.deepEqual(headings(sent.text, '1'), ['Sehen Sie in Ihr Postfach']);
    assert.match(textOf(sent.text), /60 Minuten/);
    const mail = await srv.server.waitForMail({ to: 'rita.reset@example.com' }, { after: before });
    assert.match(mail.subject, /Passwort zurücksetzen/);
    assert.match(mail.text, /Guten Tag Rita Reset,/);
    assert.match(mail.text, /60 Minuten/);
    const link = linksIn(mail).find((l) => l.includes('/reset?token='));
    assert.match(link, new RegExp(`^${srv.url}/reset\\?token=[A-Za-z0-9_-]{43}$`));
    assert.ok(mail.html.includes(`href="${link}"`), 'the same link on the HTML button');
    assert.equal(mail.header('auto-submitted'), 'auto-generated');
  });

  it('known and unknown addresses get the same page; only the known one gets mail', async () => {
    await registerUser(srv, 'kim.known@example.com', 'Kim Known');
    const c = srv.client();
    const page = await c.get('/forgot');
    assert.equal(page.status, 200);
    assert.ok(parseForms(page.text).some((f) => f.action === '/forgot' && 'email' in f.fields));
    const unknown = await forgot(srv, c, 'una.unknown@example.com', { expectMail: false });
    const known = await forgot(srv, c, 'kim.known@example.com');
    assert.equal(known.page.status, 200);
    assert.equal(unknown.page.status, known.page.status);
    const norm = (t, e) => t.split(e).join('E');
    assert.equal(norm(known.page.text, 'kim.known@example.com'),
      norm(unknown.page.text, 'una.unknown@example.com'));
    // the mail for the known address was queued after the unknown one's request: had there
    // been one for the unknown address it would be there now
    assert.ok(!srv.server.mail().some((m) => m.to.includes('una.unknown')),
      'no mail for an address without an account');
  });

  it('the link works once, needs a strong password, signs in and ends every other session', async () => {
    const email = 'otto.others@example.com';
    await registerUser(srv, email, 'Otto Others');
    const laptop = srv.client();
    const phone = srv.client();
    assert.equal((await login(laptop, email, GOOD)).status, 303);
    assert.equal((await login(phone, email, GOOD)).status, 303);
    assert.ok(await signedIn(laptop));
    assert.ok(await signedIn(phone));

    const c = srv.client();
    const { link } = await forgot(srv, c, email);
    const page = await c.get(link);
    assert.equal(page.status, 200);
    assert.deepEqual(headings(page.text, '1'), ['Neues Passwort wählen']);
    assert.match(textOf(page.text), /otto\.others@example\.com/);
    assert.equal(page.headers.get('referrer-policy'), 'same-origin'); // never sent to other sites, and the form's Origin stays real

    // weak passwords are refused with reasons; the link stays usable
    const weak = await submitReset(c, link, 'kurz');
    assert.equal(weak.status, 422);
    assert.match(errorSummary(weak.text), /Dieses Passwort ist nicht stark genug/);
    assert.ok(passwordReasons(weak.text).some((r) => /zu kurz/.test(r)));
    const named = await submitReset(c, link, 'Otto Others Fahrrad Wolke');
    assert.equal(named.status, 422);
    assert.ok(passwordReasons(named.text).some((r) => /enthält Ihren Namen|E-Mail-Adresse/.test(r)),
      JSON.stringify(passwordReasons(named.text)));
    assert.ok(await signedIn(laptop), 'a refused password changes nothing');

    const ok = await submitReset(c, link, NEW);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/');
    assert.ok(c.cookie('pf_session'), 'signed in by the reset');
    const home = await c.get('/');
    assert.match(textOf(home.text), /Ihr neues Passwort wurde gespeichert/);
    assert.ok(findByClass(home.text, 'user-name').length === 1);

    assert.equal(await signedIn(laptop), false, 'the laptop session has ended');
    assert.equal(await signedIn(phone), false, 'the phone session has ended');
    assert.ok(await signedIn(c), 'this session lives');

    assert.equal((await login(srv.client(), email, GOOD)).status, 422, 'the old password is dead');
    assert.equal((await login(srv.client(), email, NEW)).status, 303, 'the new one works');

    // second use of the link
    const again = await srv.client().get(link);
    assert.equal(again.status, 410);
    assert.deepEqual(headings(again.text, '1'), ['Dieser Link ist nicht mehr gültig']);
    assert.ok(findTags(again.text, 'a').some((a) => a.attrs.href === '/forgot'),
      'a way to request a new link');
    const d = srv.client();
    const replay = await d.post('/reset', { csrf: hiddenValue((await d.get('/forgot')).text, 'csrf'),
      token: new URL(link).searchParams.get('token'), password: 'Noch Ein Ganz Anderes Passwort' });
    assert.equal(replay.status, 410);
    assert.equal((await login(srv.client(), email, NEW)).status, 303, 'the replay changed nothing');
  });

  it('a browser can send the reset form (the Origin it sends under the page\'s Referrer-Policy)', async () => {
    // Browsers send "Origin: null" with a form POST from a page served with
    // "Referrer-Policy: no-referrer" (Fetch standard, "append a request Origin header").
    await registerUser(srv, 'bruno.browser@example.com', 'Bruno Browser');
    const c = srv.client();
    const { link } = await forgot(srv, c, 'bruno.browser@example.com');
    const page = await c.get(link);
    const policy = page.headers.get('referrer-policy');
    const origin = policy === 'no-referrer' ? 'null' : new URL(srv.url).origin;
    const form = parseForms(page.text).find((f) => f.action === '/reset');
    const r = await c.post('/reset', { ...form.fields, password: NEW }, { origin });
    assert.equal(r.status, 303, `the reset page says Referrer-Policy: ${policy}, so a browser ` +
      `posts it with Origin: ${origin}; the portal answered ${r.status} ${headings(r.text, '1')}`);
  });

  it('a newer link supersedes the older; garbage tokens are invalid', async () => {
    await registerUser(srv, 'sue.supersede@example.com', 'Sue Supersede');
    const c = srv.client();
    const first = await forgot(srv, c, 'sue.supersede@example.com');
    const second = await forgot(srv, c, 'sue.supersede@example.com');
    assert.equal((await srv.client().get(first.link)).status, 410);
    assert.equal((await srv.client().get(second.link)).status, 200);
    for (const q of ['', '?token=x', '?token=' + 'B'.repeat(43)])
      assert.equal((await c.get('/reset' + q)).status, 410, `/reset${q}`);
  });

  it('expires after 60 minutes', async () => {
    await registerUser(srv, 'exa.expire@example.com', 'Exa Expire');
    const c = srv.client();
    const { link } = await forgot(srv, c, 'exa.expire@example.com');
    await advance(srv.server, 58 * 60);
    assert.equal((await srv.client().get(link)).status, 200, 'valid after 58 minutes');
    await advance(srv.server, 3 * 60);
    const r = await srv.client().get(link);
    assert.equal(r.status, 410, 'expired after 61 minutes');
    assert.match(textOf(r.text), /Neuen Link anfordern/);
    const page = await c.get(link.replace(/^.*\/reset/, '/forgot'));
    const post = await c.post('/reset', { csrf: hiddenValue(page.text, 'csrf'),
      token: new URL(link).searchParams.get('token'), password: NEW });
    assert.equal(post.status, 410);
    assert.equal((await login(srv.client(), 'exa.expire@example.com', GOOD)).status, 303,
      'the password is unchanged');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
