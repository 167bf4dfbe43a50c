// accounts_admin_cli: accounts made from the shell next to a running portal - `pforte admin
// user add` with a password on stdin or with an invitation mail, `user list`, `user disable`
// (which signs the user out at once and blocks login) - and the one-time link that creates the
// first administrator, printed by `pforte serve` and by `pforte admin setup-link`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_SERVER_ENV, findByClass, headings, hiddenValue, parseForms, runPforte, useServer } from './lib/server.mjs';
import { GOOD, errorSummary, login, signedIn, userName } from './lib/accounts.mjs';
import { linksIn } from './lib/mail.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000',
  '--rate-login-account', '100'];

// ---- helpers ----------------------------------------------------------------------------

/** `pforte admin ARGS` against the server's database; input goes to stdin. */
function admin(server, args, input) {
  const where = ['--data', server.dataDir, '--base-url', server.url];
  if (server.database) where.push('--db', server.database.url);
  return runPforte(['admin', ...args, ...where], { env: TEST_SERVER_ENV, input });
}

/** `admin user list` as rows {email, role, state, name}. */
function userList(server) {
  const r = admin(server, ['user', 'list']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [email, role, state, ...name] = line.trim().split(/\s+/);
    return { email, role, state, name: name.join(' ') };
  });
}

/** The setup link `pforte serve` printed on start. */
function printedSetupLink(server) {
  const m = server.stdoutText.match(/(https?:\/\/\S+\/setup\?token=[A-Za-z0-9_-]{43})/);
  return m?.[1];
}

/** POSTs the set-up form for link straight away (CSRF token from another page). */
async function postSetup(c, link, email) {
  const csrf = hiddenValue((await c.get('/login')).text, 'csrf');
  return c.post('/setup', { csrf, token: new URL(link).searchParams.get('token'), email,
    name: 'Eve Evil', password: GOOD });
}

async function submitSetup(c, link, values) {
  const page = await c.get(link);
  const form = parseForms(page.text).find((f) => f.action === '/setup');
  assert.ok(form, `a set-up form at ${link}: ${page.status} ${headings(page.text, '1')}`);
  return c.post('/setup', { ...form.fields, ...values });
}

// ---- tests ------------------------------------------------------------------------------

describe('admin user add / list / disable', () => {
  const srv = useServer({ args: LIMITS });

  it('`user add` with a password on stdin creates a user who can log in', async () => {
    const r = admin(srv.server, ['user', 'add', '--email', ' Carla.Cli@Example.com ', '--name',
      'Carla Cli'], `${GOOD}\n`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^user \d+ created \(customer\)\n$/);
    assert.ok(!r.stdout.includes(GOOD) && !r.stderr.includes(GOOD), 'the password is not echoed');
    const c = srv.client();
    assert.equal((await login(c, 'carla.cli@example.com', GOOD)).status, 303);
    assert.equal(userName((await c.get('/')).text), 'Carla Cli');
    const row = userList(srv.server).find((u) => u.email === 'carla.cli@example.com');
    assert.deepEqual(row, { email: 'carla.cli@example.com', role: 'customer', state: 'active',
      name: 'Carla Cli' });
  });

  it('`user add` refuses weak passwords, bad input and a taken address', async () => {
    const weak = admin(srv.server, ['user', 'add', '--email', 'weak.cli@example.com', '--name',
      'Walter Weak'], 'kurz\n');
    assert.equal(weak.status, 1);
    assert.match(weak.stderr, /too short/);
    const badRole = admin(srv.server, ['user', 'add', '--email', 'role.cli@example.com', '--name',
      'Rolf Role', '--role', 'root'], `${GOOD}\n`);
    assert.equal(badRole.status, 1);
    assert.match(badRole.stderr, /role/);
    const badEmail = admin(srv.server, ['user', 'add', '--email', 'not-an-address', '--name', 'X Y'],
      `${GOOD}\n`);
    assert.equal(badEmail.status, 1);
    const taken = admin(srv.server, ['user', 'add', '--email', 'CARLA.cli@example.com', '--name',
      'Carla Zwei'], `${GOOD}\n`);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /already/);
    const emails = userList(srv.server).map((u) => u.email);
    for (const e of ['weak.cli@example.com', 'role.cli@example.com', 'not-an-address'])
      assert.ok(!emails.includes(e), `${e} was not created`);
    assert.equal(emails.filter((e) => e === 'carla.cli@example.com').length, 1);
  });

  it('`user add` without a password queues an invitation whose link sets one', async () => {
    const r = admin(srv.server, ['user', 'add', '--email', 'ines.invite@example.com', '--name',
      'Ines Invite', '--role', 'agent']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created \(agent\); an invitation mail is queued/);
    assert.equal(userList(srv.server).find((u) => u.email === 'ines.invite@example.com').state,
      'invited');
    // no password yet: login fails like any wrong password
    assert.equal((await login(srv.client(), 'ines.invite@example.com', GOOD)).status, 422);

    const mail = await srv.server.waitForMail({ to: 'ines.invite@example.com' });
    assert.match(mail.text, /Ines Invite/);
    const link = linksIn(mail).find((l) => l.includes('?token='));
    assert.ok(link && link.startsWith(srv.url + '/'), `a link from --base-url: ${linksIn(mail)}`);
    const c = srv.client();
    const page = await c.get(link);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('value="ines.invite@example.com"'), 'the address is shown');
    const form = parseForms(page.text).find((f) => f.method === 'post' && 'token' in f.fields);
    const done = await c.post(form.action, { ...form.fields, name: 'Ines Invite', password: GOOD });
    assert.equal(done.status, 303, errorSummary(done.text));
    assert.ok(await signedIn(c));
    const row = userList(srv.server).find((u) => u.email === 'ines.invite@example.com');
    assert.equal(row.state, 'active');
    assert.equal(row.role, 'agent', 'the invited role is kept');
    assert.equal((await c.get(link)).status, 410, 'the invitation works once');
  });

  it('`user disable` ends the sessions at once and blocks login; `enable` lets them back', async () => {
    const added = admin(srv.server, ['user', 'add', '--email', 'dora.disable@example.com', '--name',
      'Dora Disable'], `${GOOD}\n`);
    assert.equal(added.status, 0, added.stderr);
    const c = srv.client();
    assert.equal((await login(c, 'dora.disable@example.com', GOOD)).status, 303);
    assert.ok(await signedIn(c));

    const r = admin(srv.server, ['user', 'disable', 'dora.disable@example.com']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(await signedIn(c), false, 'the existing cookie stopped working');
    const again = await login(srv.client(), 'dora.disable@example.com', GOOD);
    assert.equal(again.status, 422);
    assert.match(errorSummary(again.text), /Die E-Mail-Adresse oder das Passwort ist nicht richtig/);
    assert.equal(userList(srv.server).find((u) => u.email === 'dora.disable@example.com').state,
      'disabled');
    // a reset cannot bring a disabled account back
    const before = srv.server.mail().length;
    assert.equal((await srv.client().submitForm('/forgot', { email: 'dora.disable@example.com' })).status, 200);
    assert.equal((await srv.client().submitForm('/forgot', { email: 'carla.cli@example.com' })).status, 200);
    await srv.server.waitForMail({ to: 'carla.cli@example.com' }, { after: before });
    assert.ok(!srv.server.mail().slice(before).some((m) => m.to.includes('dora.disable')),
      'no reset mail for a disabled account');

    assert.equal(admin(srv.server, ['user', 'disable', 'nobody@example.com']).status, 1);
    assert.equal(admin(srv.server, ['user', 'enable', 'dora.disable@example.com']).status, 0);
    assert.equal((await login(srv.client(), 'dora.disable@example.com', GOOD)).status, 303);
  });

  it('a pending set-up link stops working once an admin exists (made from the shell)', async () => {
    const link = printedSetupLink(srv.server);
    assert.ok(link, 'no admin yet, so `serve` printed a link');
    const r = admin(srv.server, ['user', 'add', '--email', 'shell.admin@example.com', '--name',
      'Shell Admin', '--role', 'admin'], `${GOOD}\n`);
    assert.equal(r.status, 0, r.stderr);
    const post = await postSetup(srv.client(), link, 'spaet.admin@example.com');
    assert.equal(post.status, 410, `${headings(post.text, '1')}: ${errorSummary(post.text)}`);
    assert.ok(!userList(srv.server).some((u) => u.email === 'spaet.admin@example.com'));
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('first administrator', () => {
  const srv = useServer({ args: LIMITS });
  let usedLink;

  it('`serve` prints a one-time link; it creates the first admin once', async () => {
    const link = printedSetupLink(srv.server);
    assert.ok(link, `a setup link on stdout: ${srv.server.stdoutText}`);
    assert.ok(link.startsWith(srv.url + '/setup?token='));
    // a second link made from the shell while there is no admin yet
    const cli = admin(srv.server, ['setup-link']);
    assert.equal(cli.status, 0, cli.stderr);
    const second = cli.stdout.trim();
    assert.match(second, new RegExp(`^${srv.url}/setup\\?token=[A-Za-z0-9_-]{43}$`));
    assert.notEqual(second, link);
    // like every mailed link, the newer one supersedes the older
    assert.equal((await postSetup(srv.client(), link, 'eve.early@example.com')).status, 410,
      'the printed link after a newer one was made');

    const c = srv.client();
    const page = await c.get(second);
    assert.equal(page.status, 200);
    assert.ok(['no-referrer', 'same-origin'].includes(page.headers.get('referrer-policy')),
      'the token does not leak to other sites by Referer');
    const weak = await submitSetup(c, second, { email: 'ada.admin@example.com', name: 'Ada Admin',
      password: 'zu kurz' });
    assert.equal(weak.status, 422);
    assert.match(errorSummary(weak.text), /Dieses Passwort ist nicht stark genug/);
    const ok = await submitSetup(c, second, { email: 'ada.admin@example.com', name: 'Ada Admin',
      password: GOOD });
    assert.equal(ok.status, 303, errorSummary(ok.text));
    usedLink = second;
    assert.equal(userName((await c.get('/')).text), 'Ada Admin', 'signed in as the new admin');
    assert.deepEqual(userList(srv.server).find((u) => u.email === 'ada.admin@example.com'),
      { email: 'ada.admin@example.com', role: 'admin', state: 'active', name: 'Ada Admin' });
    assert.equal((await login(srv.client(), 'ada.admin@example.com', GOOD)).status, 303);

    // the same link again, and the second link made before the admin existed: both fail
    for (const l of [link, second]) {
      const r = await postSetup(srv.client(), l, 'eve.evil@example.com');
      assert.equal(r.status, 410, `POST /setup with ${l === link ? 'the first' : 'the used'} link`);
      assert.equal(findByClass(r.text, 'user-name').length, 0);
    }
    assert.ok(!userList(srv.server).some((u) => u.email === 'eve.evil@example.com'));
    // no new link once an admin exists
    const late = admin(srv.server, ['setup-link']);
    assert.equal(late.status, 1);
    assert.match(late.stderr, /administrator exists/);
    assert.equal(late.stdout, '');
  });

  it('opening a used set-up link says it is no longer valid (before the form is filled in)', async () => {
    const r = await srv.client().get(usedLink);
    assert.equal(r.status, 410, `GET of the used set-up link: ${r.status} ${headings(r.text, '1')}`);
    assert.deepEqual(headings(r.text, '1'), ['Dieser Link ist nicht mehr gültig']);
    const garbage = await srv.client().get('/setup?token=garbage');
    assert.equal(garbage.status, 410);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
