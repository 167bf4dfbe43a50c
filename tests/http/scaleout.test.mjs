// scaleout: two `pforte serve` instances on two ports sharing one PostgreSQL database, as
// behind a load balancer - whatever one instance stored, the other serves: a registration
// started on one is finished on the other, a session made on one works on the other, a
// request created on one is listed and found on the other, 200 requests created at once across
// both get 200 different keys, rate limits count the attempts of both, and the mail outbox is
// emptied by both workers with none lost when one instance dies in the middle of a delivery.
// PostgreSQL only (PFORTE_TEST_DB); the pg suite of scripts/check.sh runs it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  Client, TEST_SERVER_ENV, findByClass, parseForms, runPforte, startServer, textOf, usingPostgres,
} from './lib/server.mjs';
import { linksIn } from './lib/mail.mjs';
import { startSmtp } from './lib/smtp.mjs';
import { GOOD, login } from './lib/accounts.mjs';
import { PASSWORD } from './lib/fixtures.mjs';

const SKIP = !usingPostgres() && 'PostgreSQL only (set PFORTE_TEST_DB)';
const WINDOW = 3600;

function psql(url, statement) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-X', '-Atqc', statement],
    { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** A new database on the test cluster: {name, url, drop()}. */
function sharedDatabase() {
  const base = new URL(process.env.PFORTE_TEST_DB);
  const name = `pforte_scale_${process.pid}_${randomBytes(4).toString('hex')}`;
  base.pathname = '/postgres';
  psql(base.toString(), `CREATE DATABASE ${name}`);
  const url = new URL(process.env.PFORTE_TEST_DB);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => psql(base.toString(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Two instances on db, one after the other (the first fills the demo data). */
async function startPair(db, { args = [], env = {} } = {}) {
  const common = { db: false, env: { ...TEST_SERVER_ENV, ...env } };
  const a = await startServer({ ...common, args: ['--db', db.url, ...args] });
  const b = await startServer({ ...common, args: ['--db', db.url, ...args], demo: false });
  return [a, b];
}

/** A client for server that carries over the cookies (the session) of another client. */
function sameBrowser(server, from) {
  const c = server.client();
  for (const [k, v] of from.cookies) c.cookies.set(k, v);
  return c;
}

/** Creates a request of type "other" through the form; returns the response of the POST. */
async function createRequest(client, summary, description) {
  const page = await client.get('/new/other');
  assert.equal(page.status, 200, `GET /new/other: ${page.status}`);
  const form = parseForms(page.text).find((f) => f.action === '/new/other');
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...form.fields, f_summary: summary, f_description: description }))
    fd.append(k, v);
  return client.request('POST', '/new/other', { body: fd });
}

function keyOf(res) {
  assert.equal(res.status, 303, `expected a redirect, got ${res.status}: ${textOf(res.text).slice(0, 300)}`);
  const m = res.location.match(/^\/requests\/([A-Z]+-(\d+))\?created=1$/);
  assert.ok(m, `redirect to the request: ${res.location}`);
  return m[1];
}

const summaries = (html) => findByClass(html, 'request-item').map((s) => {
  const chunk = html.slice(s.index, html.indexOf('</li>', s.index));
  return textOf(chunk);
});

function addUser(db, email, name) {
  const r = runPforte(['admin', 'user', 'add', '--email', email, '--name', name, '--db', db.url],
    { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
  assert.equal(r.status, 0, r.stderr);
}

/** Moves both servers' clocks to just after the start of a rate window. */
async function startOfWindow(servers, window) {
  const now = Math.floor(Date.now() / 1000) + (servers[0].clockOffset || 0);
  for (const s of servers) s.advanceClock(window - (now % window) + 1);
  await new Promise((r) => setTimeout(r, 1100));
}

describe('two instances on one PostgreSQL', { skip: SKIP }, () => {
  let db, sink, a, b;

  before(async () => {
    db = sharedDatabase();
    sink = await startSmtp();
    [a, b] = await startPair(db, {
      args: ['--mail', sink.url, '--rate-login-account', '4', '--rate-login-window', String(WINDOW),
        '--rate-login-ip', '1000', '--rate-mail-ip', '1000'],
    });
    addUser(db, 'olga.eins@example.com', 'Olga Eins');
  });

  after(async () => {
    for (const s of [a, b]) if (s) await s.stop();
    if (sink) await sink.stop();
    if (db) db.drop();
  });

  it('registration started on one instance is finished on the other', async () => {
    const email = 'rita.register@example.com';
    const onA = a.client();
    const sent = await onA.submitForm('/register', { email });
    assert.equal(sent.status, 200);
    const mail = await sink.waitForMail({ to: email });
    const link = linksIn(mail).find((l) => l.includes('/register/finish?token='));
    assert.ok(link, 'the mailed link');
    const onB = b.client();
    const finished = await onB.submitForm(link.replace(/^https?:\/\/[^/]+/, b.url),
      { name: 'Rita Register', password: GOOD });
    assert.equal(finished.status, 303, textOf(finished.text).slice(0, 300));
    assert.equal((await onB.get('/profile')).status, 200, 'signed in on B');
    assert.equal((await sameBrowser(a, onB).get('/profile')).status, 200, 'and with that cookie on A');
  });

  it('a session made on one instance works on the other, also for a form (CSRF)', async () => {
    const onA = a.client();
    assert.equal((await login(onA, 'olga.eins@example.com', PASSWORD)).status, 303);
    const onB = sameBrowser(b, onA);
    const profile = await onB.get('/profile');
    assert.equal(profile.status, 200);
    assert.match(textOf(profile.text), /Olga Eins/);
    const key = keyOf(await createRequest(onB, 'Drucker Kalibrierung Nordflügel', 'Der Kalibrierungsdienst hängt.'));
    assert.equal((await onA.get(`/requests/${key}`)).status, 200, 'created on B, shown on A');
  });

  it('a request created on one instance is listed and found on the other', async () => {
    const onA = a.client();
    assert.equal((await login(onA, 'olga.eins@example.com', PASSWORD)).status, 303);
    const key = keyOf(await createRequest(onA, 'Quittungsdrucker Lagerhalle', 'Der Belegdrucker in der Lagerhalle zeigt Zeichensalat.'));
    const onB = sameBrowser(b, onA);
    const list = await onB.get('/requests');
    assert.equal(list.status, 200);
    assert.ok(summaries(list.text).some((s) => s.includes('Quittungsdrucker Lagerhalle')), 'listed on B');
    const found = await onB.get('/requests?q=zeichensal');
    assert.deepEqual(summaries(found.text).filter((s) => s.includes(key) || s.includes('Quittungsdrucker')).length, 1,
      'found on B by a prefix of a word of the description');
    assert.equal(summaries((await onB.get('/requests?q=Quastenflosser')).text).length, 0);
  });

  it('200 requests created at once across both instances get 200 different keys in a row', async () => {
    const onA = a.client();
    assert.equal((await login(onA, 'olga.eins@example.com', PASSWORD)).status, 303);
    const onB = sameBrowser(b, onA);
    const jobs = Array.from({ length: 200 }, (_, i) => i);
    const keys = [];
    const failures = [];
    let next = 0;
    async function worker() {
      while (next < jobs.length) {
        const i = next++;
        const client = i % 2 ? onB : onA;
        const r = await createRequest(client, `Gleichzeitig ${i}`, `Anfrage Nummer ${i} von 200`);
        const m = r.status === 303 && r.location.match(/^\/requests\/([A-Z]+-(\d+))\?created=1$/);
        if (m) keys.push(Number(m[2]));
        else failures.push(`${i}: ${r.status}`);
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.deepEqual(failures, [], 'every create succeeded');
    assert.equal(new Set(keys).size, 200, 'no key twice');
    keys.sort((x, y) => x - y);
    assert.equal(keys[199] - keys[0], 199, 'the numbers have no gap');
    assert.equal(psql(db.url, "SELECT count(*) FROM requests WHERE summary LIKE 'Gleichzeitig %'"), '200');
  });

  it('rate limits count the attempts made on both instances', async () => {
    await startOfWindow([a, b], WINDOW);
    const email = 'olga.eins@example.com';
    for (let i = 1; i <= 4; i++) {
      const r = await login((i % 2 ? a : b).client(), email, `Falsch Falsch Falsch ${i}`);
      assert.equal(r.status, 422, `wrong password ${i} on ${i % 2 ? 'A' : 'B'}`);
    }
    for (const s of [a, b]) {
      const r = await login(s.client(), email, PASSWORD);
      assert.equal(r.status, 429, 'the fifth attempt is refused on either instance');
    }
    assert.equal(psql(db.url, "SELECT sum(count) FROM rate_limits WHERE bucket LIKE 'login-account%'"), '4',
      'the four failures, two on each instance, in one counter');
  });
});

describe('the outbox with two workers, one instance killed in the middle of a delivery', { skip: SKIP }, () => {
  let db, sink, a, b;

  before(async () => {
    db = sharedDatabase();
    sink = await startSmtp({ delayMs: 1500 }); // each delivery takes 1.5 s
    [a, b] = await startPair(db, { args: ['--mail', sink.url] });
    addUser(db, 'paul.post@example.com', 'Paul Post');
  });

  after(async () => {
    for (const s of [a, b]) if (s) await s.stop({ expectClean: s !== a });
    if (sink) await sink.stop();
    if (db) db.drop();
  });

  it('every mail arrives: the dead instance\'s claim is taken over after its lease', async () => {
    const c = a.client();
    assert.equal((await login(c, 'paul.post@example.com', PASSWORD)).status, 303);
    const keys = [];
    for (let i = 0; i < 6; i++) keys.push(keyOf(await createRequest(c, `Postlauf ${i}`, `Zustellung ${i}`)));
    const state = () => Object.fromEntries(psql(db.url, 'SELECT state, count(*) FROM outbox GROUP BY state')
      .split('\n').filter(Boolean).map((l) => l.split('|')).map(([k, v]) => [k, Number(v)]));
    // both workers hold a mail (each waits for the slow SMTP server): kill A in the middle
    const deadline = Date.now() + 15000;
    while ((state().sending || 0) < 2) {
      assert.ok(Date.now() < deadline, `both workers never delivered at once: ${JSON.stringify(state())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    a.proc.kill('SIGKILL');
    const keepAlive = setInterval(() => {}, 1000); // the server's process does not hold the loop
    await a.exited;
    clearInterval(keepAlive);
    // B delivers everything else; A's mail stays claimed until its lease runs out
    const total = state();
    const mails = Object.values(total).reduce((x, y) => x + y, 0);
    let s = state();
    const until = Date.now() + 30000;
    while ((s.sent || 0) < mails - 1 || (s.sending || 0) !== 1) {
      assert.ok(Date.now() < until, `B did not deliver the rest: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
      s = state();
    }
    assert.equal(sink.messages().length, mails - 1, 'A\'s interrupted delivery stored nothing');
    // past the lease (5 minutes) B takes A's mail over
    b.advanceClock(301);
    const end = Date.now() + 30000;
    while ((state().sent || 0) < mails) {
      assert.ok(Date.now() < end, `the interrupted mail was never delivered: ${JSON.stringify(state())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const subjects = sink.messages().map((m) => m.subject);
    assert.equal(subjects.length, mails, 'each mail exactly once');
    for (const key of keys)
      assert.ok(subjects.some((x) => x.includes(key)), `the confirmation of ${key} arrived`);
  });
});
