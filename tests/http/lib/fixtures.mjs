// Fixtures the request suites share: accounts made through `pforte admin user add`, a signed-in
// client, and SQL straight on the server's database (for states no page can make yet).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { TEST_SERVER_ENV, parseForms, runPforte } from './server.mjs';

/** The password of every fixture account: strong enough for the policy. */
export const PASSWORD = 'Kaffee Fahrrad Wolke Tisch Lampe';

/** Creates an account on server (role customer by default); returns its user id. */
export function addUser(server, email, name, role = 'customer') {
  const args = ['admin', 'user', 'add', '--email', email, '--name', name, '--role', role,
    '--data', server.dataDir];
  if (server.database) args.push('--db', server.database.url);
  const r = runPforte(args, { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.match(/user (\d+)/)[1]);
}

/** Runs one SQL statement on the server's database (SQLite or PostgreSQL); returns stdout. */
export function sql(server, statement) {
  const r = server.database
    ? spawnSync('psql', [server.database.url, '-v', 'ON_ERROR_STOP=1', '-Atqc', statement],
      { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 10000', path.join(server.dataDir, 'pforte.db'),
      statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Waits until the outbox holds no mail still to be sent (queued or being sent): mails are
 *  built and delivered by the mail worker after the request that queued them, so a count of
 *  the mails "since now" starts clean only then. */
export async function outboxSettled(server, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pending = Number(sql(server, "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')"));
    if (pending === 0) return;
    assert.ok(Date.now() < end, `${pending} mails still in the outbox after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A client signed in as email (the login form of /login?next=NEXT when next is given);
 *  client.loginLocation is where the login redirected to. */
export async function login(server, email, next) {
  const c = server.client();
  const page = await c.get(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  const form = parseForms(page.text).find((f) => f.action === '/login');
  const r = await c.post('/login', { ...form.fields, email, password: PASSWORD, step: '2' });
  assert.equal(r.status, 303, `login of ${email}: ${r.status}`);
  c.loginLocation = r.location;
  return c;
}
