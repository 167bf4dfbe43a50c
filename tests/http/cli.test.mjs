// The subcommands beside serve: migrate and backup take the same --data/--db options as
// serve, and backup makes a consistent copy of a database that a running server uses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPforte, useServer, usingPostgres } from './lib/server.mjs';

describe('migrate and backup', { skip: usingPostgres() && 'SQLite only' }, () => {
  const srv = useServer();

  it('migrate reports the schema version of an existing installation', async () => {
    const r = await runPforte(['migrate', '--data', srv.server.dataDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /schema version [1-9]\d*/);
  });

  it('migrate refuses unknown options and names them', async () => {
    const r = await runPforte(['migrate', '--data', srv.server.dataDir, '--no-such-thing', '1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--no-such-thing/);
  });

  it('backup copies the live database into a file that serves the same portal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-backup-'));
    try {
      const file = path.join(dir, 'copy.db');
      const r = await runPforte(['backup', file, '--data', srv.server.dataDir]);
      assert.equal(r.status, 0, r.stderr);
      const head = fs.readFileSync(file).subarray(0, 16).toString('latin1');
      assert.equal(head, 'SQLite format 3\u0000');
      // the copy is a complete installation: migrate finds it current, nothing to apply
      const m = await runPforte(['migrate', '--db', file, '--data', dir]);
      assert.equal(m.status, 0, m.stderr);
      assert.doesNotMatch(m.stderr, /event=migrated/);
      const original = await runPforte(['migrate', '--data', srv.server.dataDir]);
      assert.equal(m.stdout, original.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backup without a file name explains its usage', async () => {
    const r = await runPforte(['backup', '--data', srv.server.dataDir]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: pforte backup FILE/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});
