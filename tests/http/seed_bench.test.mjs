// seed_bench: `pforte seed-bench` leaves a database in the state of a portal that has been
// running - its search index complete and its SLA columns computed, overdue reminders
// recorded - so `pforte serve` starts a benchmark without a backlog of background work.
// SQLite only: the command writes the data directory's database.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_SERVER_ENV, runPforte, usingPostgres } from './lib/server.mjs';

const sqlite = (file, statement) => {
  const r = spawnSync('sqlite3', [file, statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

describe('pforte seed-bench', { skip: usingPostgres() && 'SQLite data directory only' }, () => {
  it('leaves no search index or SLA work behind', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-seed-'));
    try {
      const r = runPforte(['seed-bench', '3000', '40', '--data', dir, '--log-level', 'warn'],
        { env: TEST_SERVER_ENV, input: 'Kaffee Fahrrad Wolke Tisch Lampe\n', timeoutMs: 120000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /seeded 3000 requests of 40 customers/);
      const db = path.join(dir, 'pforte.db');
      assert.equal(sqlite(db, 'SELECT count(*) FROM requests'), '3000');
      assert.equal(sqlite(db, 'SELECT count(*) FROM requests WHERE sla_updated_at <> updated_at'), '0',
        'every SLA column computed');
      assert.equal(sqlite(db, "SELECT value = (SELECT max(id) FROM requests) FROM counters WHERE name = 'search_indexed'"), '1',
        'the search index is complete');
      const open = Number(sqlite(db, "SELECT count(*) FROM requests WHERE status NOT IN ('resolved', 'closed')"));
      assert.ok(open > 0, 'some requests are open');
      assert.ok(Number(sqlite(db, 'SELECT count(*) FROM sla_reminders')) > 0, 'the overdue reminders are recorded');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
