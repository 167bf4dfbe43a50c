// accounts_login: "Anmelden" in two steps - e-mail, "Weiter", password - as every caller sees
// it: the same answers for known and unknown addresses (pages and rough timing), session
// cookies that rotate on login and carry the right attributes (also __Host- behind https),
// logout that ends the session on the server, and the idle and absolute session lifetimes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findByClass, findTags, hiddenValue, parseForms, textOf, useServer } from './lib/server.mjs';
import { GOOD, advance, errorSummary, registerUser } from './lib/accounts.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000',
  '--rate-login-account', '100'];

// ---- helpers (each test file is self-contained) -----------------------------------------

/** Moves the server's clock and waits until the server has re-read it (once a second). */
/** Registers email through the mailed link with a fresh client; returns the signed-in client. */
/** Step 1 of "Anmelden": returns the step-2 page. */
async function loginStep1(c, email, pagePath = '/login') {
  const page = await c.submitForm(pagePath, { email });
  return page;
}

/** Both steps; returns the response of step 2. */
async function login(c, email, password, pagePath = '/login') {
  const step1 = await loginStep1(c, email, pagePath);
  assert.equal(step1.status, 200, textOf(step1.text).slice(0, 300));
  const form = parseForms(step1.text).find((f) => f.fields.step === '2');
  assert.ok(form, 'step 2 form');
  return c.post('/login', { ...form.fields, password });
}

/** Is c signed in? (GET /profile answers 200 instead of sending to /login) */
async function signedIn(c) {
  const r = await c.get('/profile');
  if (r.status === 200) return true;
  assert.ok([302, 303].includes(r.status), `GET /profile: ${r.status}`);
  assert.match(r.location, /^\/login\?next=/);
  return false;
}

/** Set-Cookie line for name in a response, parsed: {value, attrs} or undefined. */
function setCookie(res, name) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() !== name) continue;
    const attrs = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      attrs[(i < 0 ? a : a.slice(0, i)).trim().toLowerCase()] = i < 0 ? true : a.slice(i + 1).trim();
    }
    return { value: pair.slice(eq + 1).trim(), attrs };
  }
  return undefined;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// ---- tests ------------------------------------------------------------------------------

describe('login', () => {
  // password hashing a little closer to real cost, so that timing differences would show
  const srv = useServer({ args: LIMITS, env: { PFORTE_ARGON2_MEM_KIB: '32768' } });
  const EMAIL = 'lena.login@example.com';

  it('step 1 asks only for the e-mail address ("Weiter")', async () => {
    await registerUser(srv, EMAIL, 'Lena Login');
    const page = await srv.client().get('/login');
    assert.equal(page.status, 200);
    const form = page.text.slice(page.text.indexOf('action="/login"'));
    const inner = form.slice(0, form.indexOf('</form>'));
    const visible = findTags(inner, 'input').filter((t) => (t.attrs.type || 'text') !== 'hidden');
    assert.deepEqual(visible.map((t) => t.attrs.name), ['email']);
    assert.match(textOf(inner), /Weiter/);
    assert.equal(findTags(page.text, 'input').filter((t) => t.attrs.type === 'password').length, 0);
  });

  it('step 2 shows the address and asks for the password - for every address alike', async () => {
    const c = srv.client();
    const known = await loginStep1(c, EMAIL);
    const unknown = await loginStep1(c, 'nobody.here@example.com');
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    const pw = findTags(known.text, 'input').find((t) => t.attrs.type === 'password');
    assert.equal(pw.attrs.name, 'password');
    const email = findTags(known.text, 'input').find((t) => t.attrs.id === 'email');
    assert.equal(email.attrs.value, EMAIL);
    assert.ok('readonly' in email.attrs);
    assert.match(textOf(known.text), /Passwort vergessen\?/);
    const norm = (t, e) => t.split(encodeURIComponent(e)).join('E').split(e).join('E');
    assert.equal(norm(known.text, EMAIL), norm(unknown.text, 'nobody.here@example.com'),
      'step 2 does not tell whether the address has an account');
  });

  it('a wrong password and an unknown address fail alike (status, message, page)', async () => {
    const c = srv.client();
    const wrong = await login(c, EMAIL, 'Falsches Passwort Nummer Eins');
    const unknown = await login(c, 'nobody.here@example.com', 'Falsches Passwort Nummer Eins');
    assert.equal(wrong.status, 422);
    assert.equal(unknown.status, wrong.status);
    assert.match(errorSummary(wrong.text), /Die E-Mail-Adresse oder das Passwort ist nicht richtig/);
    assert.equal(errorSummary(unknown.text), errorSummary(wrong.text));
    const norm = (t, e) => t.split(encodeURIComponent(e)).join('E').split(e).join('E');
    assert.equal(norm(wrong.text, EMAIL), norm(unknown.text, 'nobody.here@example.com'));
    assert.equal(c.cookie('pf_session'), undefined, 'no session');
    // an empty password is just as wrong
    assert.equal((await login(c, EMAIL, '')).status, 422);
  });

  it('and take about as long (median of 5 each within a factor of 3)', async () => {
    const c = srv.client();
    const time = async (email) => {
      const step1 = await loginStep1(c, email);
      const form = parseForms(step1.text).find((f) => f.fields.step === '2');
      const t0 = process.hrtime.bigint();
      const r = await c.post('/login', { ...form.fields, password: 'Falsches Passwort Nummer Zwei' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.equal(r.status, 422);
      return ms;
    };
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await time(EMAIL));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    const [a, b] = [median(wrong), median(unknown)];
    assert.ok(Math.max(a, b) / Math.min(a, b) < 3,
      `wrong password ${a.toFixed(1)} ms vs unknown address ${b.toFixed(1)} ms`);
  });

  it('the right password signs in and goes to next=; cookie attributes', async () => {
    const c = srv.client();
    const r = await login(c, EMAIL, GOOD, '/login?next=/requests');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/requests');
    const ck = setCookie(r, 'pf_session');
    assert.match(ck.value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(ck.attrs.httponly, true, 'HttpOnly');
    assert.equal(String(ck.attrs.samesite).toLowerCase(), 'lax', 'SameSite=Lax');
    assert.equal(ck.attrs.path, '/');
    assert.equal(ck.attrs.secure, undefined, 'no Secure on a plain-http base URL');
    assert.equal(setCookie(r, '__Host-pf_session'), undefined);
    const pre = setCookie(r, 'pf_pre');
    assert.ok(pre && (pre.value === '' || Number(pre.attrs['max-age']) <= 0),
      'the pre-session CSRF cookie is dropped at login');
    assert.ok(await signedIn(c));
    // signed in, /login goes straight on
    const again = await c.get('/login?next=/profile');
    assert.equal(again.status, 303);
    assert.equal(again.location, '/profile');
    // next= never leaves the site
    const d = srv.client();
    const evil = await login(d, EMAIL, GOOD, '/login?next=' + encodeURIComponent('https://evil.example/'));
    assert.equal(evil.location, '/');
  });

  it('sessions rotate: a planted cookie is replaced, every login gets a new session', async () => {
    const c = srv.client();
    await c.get('/login');
    const planted = 'A'.repeat(42) + 'A';
    c.cookies.set('pf_session', { value: planted, attrs: {} });
    const preLogin = c.cookie('pf_pre');
    assert.equal((await login(c, EMAIL, GOOD)).status, 303);
    const first = c.cookie('pf_session');
    assert.ok(first && first !== planted && first !== preLogin, 'a fresh session value');
    const attacker = srv.client();
    attacker.cookies.set('pf_session', { value: planted, attrs: {} });
    assert.equal(await signedIn(attacker), false, 'the planted value is no session');

    const d = srv.client();
    assert.equal((await login(d, EMAIL, GOOD)).status, 303);
    const second = d.cookie('pf_session');
    assert.notEqual(second, first, 'a second login creates a different session');
    assert.ok(await signedIn(c));
    assert.ok(await signedIn(d), 'both devices stay signed in');

    // logging in again in the same browser also issues a new value
    const step1 = await c.post('/login', { csrf: hiddenValue((await c.get('/profile')).text, 'csrf'),
      email: EMAIL, step: '2', password: GOOD });
    assert.equal(step1.status, 303);
    assert.notEqual(c.cookie('pf_session'), first);
    // ... and ends the session it replaces: the old value no longer signs anyone in
    const replay = srv.client();
    replay.cookies.set('pf_session', { value: first, attrs: {} });
    assert.equal(await signedIn(replay), false, 'the replaced session is over');
    assert.ok(await signedIn(c));
    assert.ok(await signedIn(d), 'the other device is not affected');
  });

  it('logout ends the session on the server: the old cookie no longer works', async () => {
    const c = srv.client();
    assert.equal((await login(c, EMAIL, GOOD)).status, 303);
    const cookie = c.cookie('pf_session');
    const profile = await c.get('/profile');
    const out = await c.post('/logout', { csrf: hiddenValue(profile.text, 'csrf') });
    assert.equal(out.status, 303);
    assert.equal(c.cookie('pf_session'), undefined, 'the browser drops the cookie');
    const home = await c.get('/', { follow: true });
    assert.match(textOf(home.text), /Sie wurden abgemeldet/);
    assert.equal(findByClass(home.text, 'user-name').length, 0);
    // replay the old cookie, as someone who copied it would
    const replay = srv.client();
    replay.cookies.set('pf_session', { value: cookie, attrs: {} });
    assert.equal(await signedIn(replay), false, 'the replayed cookie is no longer a session');
    const r = await replay.get('/');
    assert.equal(findByClass(r.text, 'user-name').length, 0);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('login behind https', () => {
  const BASE = 'https://portal.example';
  const srv = useServer({ args: [...LIMITS, '--base-url', BASE] });

  it('the session cookie is __Host-pf_session with Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const opts = { headers: { origin: BASE } };
    await registerUser(srv, 'secure@example.com', 'Sven Secure', GOOD, opts);
    const c = srv.client(opts);
    const r = await login(c, 'secure@example.com', GOOD);
    assert.equal(r.status, 303);
    const ck = setCookie(r, '__Host-pf_session');
    assert.ok(ck, `__Host-pf_session set: ${r.headers.getSetCookie()}`);
    assert.equal(setCookie(r, 'pf_session'), undefined, 'no plain pf_session');
    assert.equal(ck.attrs.secure, true);
    assert.equal(ck.attrs.httponly, true);
    assert.equal(String(ck.attrs.samesite).toLowerCase(), 'lax');
    assert.equal(ck.attrs.path, '/');
    assert.equal(ck.attrs.domain, undefined, '__Host- cookies have no Domain');
    const profile = await c.get('/profile');
    assert.equal(profile.status, 200, 'the __Host- cookie is the session');
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('session lifetime', () => {
  const srv = useServer({ args: [...LIMITS, '--session-idle-days', '1', '--session-max-days', '3'] });

  it('ends a session that was idle longer than --session-idle-days', async () => {
    await registerUser(srv, 'idle@example.com', 'Ida Idle');
    const c = srv.client();
    assert.equal((await login(c, 'idle@example.com', GOOD)).status, 303);
    await advance(srv.server, 86400 - 300);
    assert.ok(await signedIn(c), 'still signed in just before the idle limit');
    await advance(srv.server, 86400 - 300);
    assert.ok(await signedIn(c), 'using it restarts the idle time');
    await advance(srv.server, 86400 + 60);
    assert.equal(await signedIn(c), false, 'idle for more than a day: signed out');
    assert.equal(c.cookie('pf_session'), undefined, 'the server clears the dead cookie');
  });

  it('ends even an active session after --session-max-days', async () => {
    const c = srv.client();
    assert.equal((await login(c, 'idle@example.com', GOOD)).status, 303);
    for (let day = 1; day <= 3; day++) {
      await advance(srv.server, 86400 - 3600);
      if (day < 3) assert.ok(await signedIn(c), `active on day ${day}`);
    }
    // 3 days minus 3 hours: still inside the lifetime
    assert.ok(await signedIn(c), 'inside the absolute lifetime');
    await advance(srv.server, 4 * 3600);
    assert.equal(await signedIn(c), false, 'past the absolute lifetime despite daily use');
    // logging in again works
    assert.equal((await login(srv.client(), 'idle@example.com', GOOD)).status, 303);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
