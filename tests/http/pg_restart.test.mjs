// pg_restart: PostgreSQL is stopped (fast shutdown: every connection cut) and started again
// while requests are being created. During the outage the portal answers 503 ("kurz nicht
// verfügbar") and nothing else; afterwards it answers normally again by itself within seconds,
// and every request whose creation was acknowledged (a redirect to its page) exists.
// Uses a cluster of its own (scripts/pg.sh), so the other suites running at the same time keep
// their database. PostgreSQL only (PFORTE_TEST_DB says the pg suite is running).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, TEST_SERVER_ENV, parseForms, runPforte, startServer, textOf, usingPostgres } from './lib/server.mjs';
import { login } from './lib/accounts.mjs';
import { PASSWORD } from './lib/fixtures.mjs';

const SKIP = !usingPostgres() && 'PostgreSQL only (set PFORTE_TEST_DB)';
const PG_SH = path.join(REPO_ROOT, 'scripts/pg.sh');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pgSh(...args) {
  const r = spawnSync(PG_SH, args, { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, `pg.sh ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function psql(url, statement) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-X', '-Atqc', statement],
    { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('PostgreSQL restarts under load', { skip: SKIP }, () => {
  let cluster, url, server;

  before(async () => {
    const env = Object.fromEntries(pgSh('start').trim().split('\n')
      .map((l) => l.replace(/^export /, '').split('=')));
    cluster = env.PFORTE_TEST_PG_DIR;
    psql(`${env.PFORTE_TEST_DB}/postgres`, 'CREATE DATABASE pforte_restart');
    url = `${env.PFORTE_TEST_DB}/pforte_restart`;
    server = await startServer({ db: false, args: ['--db', url] });
    const r = runPforte(['admin', 'user', 'add', '--email', 'rolf@example.com', '--name', 'Rolf Neustart',
      '--db', url], { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
    assert.equal(r.status, 0, r.stderr);
  });

  after(async () => {
    if (server) await server.stop();
    if (cluster) pgSh('stop', cluster);
  });

  it('answers 503 during the outage, recovers by itself, and loses no acknowledged request', async () => {
    const c = server.client();
    assert.equal((await login(c, 'rolf@example.com', PASSWORD)).status, 303);
    const acknowledged = [];
    const statuses = {};
    const unexpected = [];
    let running = true;
    let n = 0;
    const count = (what) => (statuses[what] = (statuses[what] || 0) + 1);
    async function creator() {
      while (running) {
        const i = n++;
        let page;
        try {
          page = await c.get('/new/other');
        } catch (e) {
          unexpected.push(`GET ${i}: ${e.message}`);
          continue;
        }
        count(`GET ${page.status}`);
        if (page.status !== 200) {
          if (page.status !== 503) unexpected.push(`GET ${i}: ${page.status} ${textOf(page.text).slice(0, 200)}`);
          else assert.match(textOf(page.text), /kurz nicht verfügbar/i);
          await sleep(20);
          continue;
        }
        const form = parseForms(page.text).find((f) => f.action === '/new/other');
        const fd = new FormData();
        for (const [k, v] of Object.entries({ ...form.fields, f_summary: `Neustart ${i}`, f_description: `Während des Neustarts ${i}` }))
          fd.append(k, v);
        const r = await c.request('POST', '/new/other', { body: fd });
        count(`POST ${r.status}`);
        const m = r.status === 303 && r.location.match(/^\/requests\/[A-Z]+-(\d+)\?created=1$/);
        if (m) acknowledged.push({ number: Number(m[1]), summary: `Neustart ${i}` });
        else if (r.status !== 503) unexpected.push(`POST ${i}: ${r.status} ${r.location || textOf(r.text).slice(0, 200)}`);
      }
    }
    const workers = Array.from({ length: 4 }, creator);
    await sleep(1000);
    const before = acknowledged.length;
    pgSh('pause', cluster);
    await sleep(2000);
    pgSh('resume', cluster);
    // the portal finds its way back by itself: a new acknowledged create within seconds
    const resumedAt = acknowledged.length;
    const deadline = Date.now() + 15000;
    while (acknowledged.length === resumedAt) {
      assert.ok(Date.now() < deadline, `no successful create after the restart: ${JSON.stringify(statuses)}`);
      await sleep(50);
    }
    await sleep(1000);
    running = false;
    await Promise.all(workers);
    assert.ok(before > 0, 'requests were created before the outage');
    assert.ok((statuses['GET 503'] || 0) + (statuses['POST 503'] || 0) > 0,
      `the outage was seen as 503: ${JSON.stringify(statuses)}`);
    assert.deepEqual(unexpected, [], `only 200/303 or 503: ${JSON.stringify(statuses)}`);
    assert.equal((await server.fetch('/healthz')).status, 200);
    // every acknowledged request exists, with what was sent
    const stored = new Map(psql(url, 'SELECT number, summary FROM requests').split('\n')
      .filter(Boolean).map((l) => l.split('|')).map(([k, v]) => [Number(k), v]));
    for (const a of acknowledged) assert.equal(stored.get(a.number), a.summary, `SUP-${a.number}`);
    assert.equal((await c.get(`/requests/SUP-${acknowledged.at(-1).number}`)).status, 200);
  });
});
