// copy_db: `pforte copy-db --from FILE.db --to postgres://...` moves a SQLite installation
// (the seeded demo portal plus what its users did: accounts, a request with a file, a comment)
// to PostgreSQL, prints a verified line per table, and the portal then runs on PostgreSQL
// with everything there: the same password logs in, the request, its comment and its file
// (byte for byte) are shown, search finds it, and new rows continue the numbering. A target
// that already holds data is refused. PostgreSQL only (PFORTE_TEST_DB).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TEST_SERVER_ENV, findTags, parseForms, runPforte, startServer, textOf, usingPostgres } from './lib/server.mjs';
import { PASSWORD, addUser, login } from './lib/fixtures.mjs';

const SKIP = !usingPostgres() && 'PostgreSQL only (set PFORTE_TEST_DB)';
const FILE_BYTES = Buffer.from([0, 1, 2, 250, 255, 10, 13, 0x50, 0x4b, 0]); // binary, with NULs

function psql(url, statement) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-X', '-Atqc', statement],
    { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function newDatabase() {
  const admin = new URL(process.env.PFORTE_TEST_DB);
  admin.pathname = '/postgres';
  const name = `pforte_copy_${process.pid}_${randomBytes(4).toString('hex')}`;
  psql(admin.toString(), `CREATE DATABASE ${name}`);
  const url = new URL(process.env.PFORTE_TEST_DB);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(admin.toString(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function createWithFile(client, summary, description) {
  const page = await client.get('/new/other');
  const form = parseForms(page.text).find((f) => f.action === '/new/other');
  const fd = new FormData();
  for (const [k, v] of Object.entries({ ...form.fields, f_summary: summary, f_description: description }))
    fd.append(k, v);
  fd.append('f_files', new Blob([FILE_BYTES], { type: 'application/octet-stream' }), 'messwerte.bin');
  const r = await client.request('POST', '/new/other', { body: fd });
  assert.equal(r.status, 303, textOf(r.text).slice(0, 300));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

describe('copy-db from SQLite to PostgreSQL', { skip: SKIP }, () => {
  let sqliteServer, pgServer, db, dbFile, key;

  before(async () => {
    db = newDatabase();
    sqliteServer = await startServer({ db: false }); // SQLite in its data directory, demo data
    addUser(sqliteServer, 'karl.kopie@example.com', 'Karl Kopie');
    const karl = await login(sqliteServer, 'karl.kopie@example.com');
    key = await createWithFile(karl, 'Umzug der Mandantendaten', 'Die Mandantendaten fehlen nach dem Umzug.');
    const page = await karl.get(`/requests/${key}`);
    const csrf = parseForms(page.text).find((f) => f.action.endsWith('/comments')).fields.csrf;
    const fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('body', 'Nachtrag: betrifft auch die Archivordner.');
    assert.equal((await karl.request('POST', `/requests/${key}/comments`, { body: fd })).status, 303);
    dbFile = path.join(sqliteServer.dataDir, 'pforte.db');
    const removeDataDir = sqliteServer.removeDataDirSync;
    sqliteServer.removeDataDirSync = () => {}; // the data directory stays until after()
    await sqliteServer.stop();
    sqliteServer.removeDataDirSync = removeDataDir;
  });

  after(async () => {
    if (pgServer) await pgServer.stop();
    if (sqliteServer) sqliteServer.removeDataDirSync();
    if (db) db.drop();
  });

  it('copies every table and verifies counts and checksums', () => {
    const r = runPforte(['copy-db', '--from', dbFile, '--to', db.url], { env: TEST_SERVER_ENV, timeoutMs: 120000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines.at(-1), /^copied and verified: \d+ tables$/);
    const tables = Object.fromEntries(lines.slice(0, -1).map((l) => l.split(/\s+/)).map((w) => [w[0], w]));
    for (const t of ['users', 'sessions', 'requests', 'events', 'attachments', 'outbox', 'counters', 'request_search', 'request_types', 'request_fields'])
      assert.equal(tables[t]?.[3], 'same', `${t}: ${lines.join('\n')}`);
    assert.ok(Number(tables.attachments[1]) >= 1 && Number(tables.requests[1]) >= 1);
    assert.equal(psql(db.url, "SELECT encode(data, 'hex') FROM attachments WHERE filename = 'messwerte.bin'"),
      FILE_BYTES.toString('hex'));
  });

  it('refuses a missing source file (and creates none)', () => {
    const missing = path.join(sqliteServer.dataDir, 'nosuch.db');
    const r = runPforte(['copy-db', '--from', missing, '--to', db.url], { env: TEST_SERVER_ENV });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nosuch\.db/);
    assert.equal(fs.existsSync(missing), false);
  });

  it('refuses a target that already holds data, and changes nothing', () => {
    const before = psql(db.url, 'SELECT count(*) FROM requests');
    const r = runPforte(['copy-db', '--from', dbFile, '--to', db.url], { env: TEST_SERVER_ENV, timeoutMs: 60000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not empty/);
    assert.equal(psql(db.url, 'SELECT count(*) FROM requests'), before);
  });

  it('the portal runs on the copy: login, request, comment, file, search, new numbers', async () => {
    pgServer = await startServer({ db: false, demo: false, args: ['--db', db.url] });
    const karl = await login(pgServer, 'karl.kopie@example.com'); // the copied password hash
    const page = await karl.get(`/requests/${key}`);
    assert.equal(page.status, 200);
    assert.match(textOf(page.text), /Umzug der Mandantendaten/);
    assert.match(textOf(page.text), /betrifft auch die Archivordner/);
    const link = findTags(page.text, 'a').find((a) => a.attrs.href.includes('/attachments/'));
    assert.ok(link, 'the file is listed');
    const res = await fetch(new URL(link.attrs.href, pgServer.url), { headers: { cookie: karl.cookieHeader() } });
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), FILE_BYTES);
    const found = await karl.get('/requests?q=archivordner');
    assert.match(textOf(found.text), /Umzug der Mandantendaten/, 'the comment is in the copied search index');
    const next = await createWithFile(karl, 'Nach dem Umzug', 'Die erste Anfrage auf PostgreSQL.');
    assert.equal(Number(next.split('-')[1]), Number(key.split('-')[1]) + 1, 'numbering continues');
    // identities were moved past the copied ids: a new account does not collide
    const r = runPforte(['admin', 'user', 'add', '--email', 'nora.neu@example.com', '--name', 'Nora Neu',
      '--db', db.url], { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(psql(db.url, "SELECT count(*) FROM users WHERE email = 'nora.neu@example.com'"), '1');
  });
});
