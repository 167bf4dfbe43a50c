// accounts_limits: the rate limits of the account forms as a caller meets them - wrong
// passwords per account and login attempts per IP, registration and reset mails per address and
// per IP: a 429 page that says when to try again, a Retry-After header, and everything allowed
// again once the window has passed (an account is never locked for good).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { headings, parseForms, textOf, useServer } from './lib/server.mjs';
import { GOOD, advance, registerUser } from './lib/accounts.mjs';

const WINDOW = 600;

// ---- helpers (each test file is self-contained) -----------------------------------------

/** Moves the server's clock to just after the start of a fixed rate window, so that the
 * attempts of a test cannot straddle two windows. */
async function startOfWindow(server, window = WINDOW) {
  const now = Math.floor(Date.now() / 1000) + (server.clockOffset || 0);
  await advance(server, window - (now % window) + 1);
}

async function login(c, email, password) {
  const step1 = await c.submitForm('/login', { email });
  if (step1.status !== 200) return step1;
  const form = parseForms(step1.text).find((f) => f.fields.step === '2');
  return c.post('/login', { ...form.fields, password });
}

/** Asserts a 429 page in German with "in N Minuten" matching Retry-After (<= window). */
function assertLimited(r, what) {
  assert.equal(r.status, 429, `${what}: status ${r.status}`);
  const retry = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW,
    `${what}: Retry-After ${r.headers.get('retry-after')}`);
  assert.deepEqual(headings(r.text, '1'), ['Zu viele Versuche']);
  const m = textOf(r.text).match(/Bitte versuchen Sie es in (\d+) Minuten erneut/);
  assert.ok(m, `${what}: "try again in N minutes": ${textOf(r.text).slice(0, 300)}`);
  assert.equal(Number(m[1]), Math.ceil(retry / 60), `${what}: minutes match Retry-After`);
}

// ---- tests ------------------------------------------------------------------------------

describe('login limit per account', () => {
  const srv = useServer({ args: ['--rate-login-account', '3', '--rate-login-window', String(WINDOW),
    '--rate-login-ip', '1000', '--rate-mail-ip', '1000'] });

  it('after 3 wrong passwords: 429 with Retry-After - even for the right password', async () => {
    await registerUser(srv, 'lara.limit@example.com', 'Lara Limit');
    await registerUser(srv, 'bystander@example.com', 'Ben Bystander');
    await startOfWindow(srv.server);
    const c = srv.client();
    for (let i = 1; i <= 3; i++)
      assert.equal((await login(c, 'lara.limit@example.com', `Falsch Falsch Falsch ${i}`)).status, 422,
        `wrong password ${i} is just wrong`);
    assertLimited(await login(c, 'lara.limit@example.com', 'Falsch Falsch Falsch 4'), 'wrong password 4');
    assertLimited(await login(srv.client(), 'lara.limit@example.com', GOOD), 'right password');
    // the limit is per account: others sign in as usual
    assert.equal((await login(srv.client(), 'bystander@example.com', GOOD)).status, 303);
    // an unknown address is limited the same way (no enumeration by the limiter)
    const d = srv.client();
    for (let i = 1; i <= 3; i++)
      assert.equal((await login(d, 'no.such.user@example.com', 'Falsch Falsch Falsch')).status, 422);
    assertLimited(await login(d, 'no.such.user@example.com', 'Falsch Falsch Falsch'), 'unknown address');
  });

  it('once the window has passed the right password works again (no lasting lock-out)', async () => {
    await advance(srv.server, WINDOW + 1);
    const c = srv.client();
    assert.equal((await login(c, 'lara.limit@example.com', GOOD)).status, 303);
    // a success resets the count: three more wrong ones are allowed
    const d = srv.client();
    for (let i = 1; i <= 3; i++)
      assert.equal((await login(d, 'lara.limit@example.com', `Wieder Falsch ${i}`)).status, 422);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('login limit per IP', () => {
  const srv = useServer({ args: ['--rate-login-ip', '5', '--rate-login-window', String(WINDOW),
    '--rate-login-account', '100', '--rate-mail-ip', '1000'] });

  it('many attempts from one address at different accounts: 429, then allowed again', async () => {
    await registerUser(srv, 'ida.ip@example.com', 'Ida Ip');
    await startOfWindow(srv.server);
    const c = srv.client();
    for (let i = 1; i <= 5; i++)
      assert.equal((await login(c, `spray${i}@example.com`, 'Falsch Falsch Falsch')).status, 422);
    assertLimited(await login(c, 'spray6@example.com', 'Falsch Falsch Falsch'), 'attempt 6');
    assertLimited(await login(srv.client(), 'ida.ip@example.com', GOOD),
      'right password from the same IP');
    await advance(srv.server, WINDOW + 1);
    assert.equal((await login(srv.client(), 'ida.ip@example.com', GOOD)).status, 303);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('mail limits', () => {
  const srv = useServer({ args: ['--rate-mail-address', '2', '--rate-mail-ip', '7',
    '--rate-mail-window', String(WINDOW), '--rate-login-ip', '1000'] });

  it('registration and reset mails per address: the third gets 429 and no mail', async () => {
    await startOfWindow(srv.server);
    const c = srv.client();
    const email = 'max.mails@example.com';
    for (let i = 1; i <= 2; i++) {
      const before = srv.server.mail().length;
      assert.equal((await c.submitForm('/register', { email })).status, 200);
      await srv.server.waitForMail({ to: email }, { after: before });
    }
    assertLimited(await c.submitForm('/register', { email }), 'third registration mail');
    assertLimited(await c.submitForm('/forgot', { email }), 'reset mail to the same address');
    assertLimited(await c.submitForm('/register', { email: ' MAX.Mails@Example.com' }),
      'the same address in other case');
    // every request so far counted per IP, refused ones too (5 of 7): two more go through
    for (const other of ['other.one@example.com', 'other.two@example.com']) {
      const before = srv.server.mail().length;
      assert.equal((await c.submitForm('/register', { email: other })).status, 200, other);
      await srv.server.waitForMail({ to: other }, { after: before });
    }
    assert.equal(srv.server.mail().filter((m) => m.to === email).length, 2, 'no third mail');
  });

  it('per IP: the eighth mail request in the window gets 429', async () => {
    const c = srv.client();
    assertLimited(await c.submitForm('/register', { email: 'other.three@example.com' }), 'per IP');
    assertLimited(await c.submitForm('/forgot', { email: 'other.four@example.com' }), 'forgot per IP');
  });

  it('once the window has passed mails go out again', async () => {
    await advance(srv.server, WINDOW + 1);
    const c = srv.client();
    const before = srv.server.mail().length;
    assert.equal((await c.submitForm('/register', { email: 'max.mails@example.com' })).status, 200);
    await srv.server.waitForMail({ to: 'max.mails@example.com' }, { after: before });
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
