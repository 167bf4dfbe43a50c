// accounts_smtp: the registration mail over SMTP (--mail smtp://...) - delivered to a local
// sink, with and without AUTH; kept in the outbox while the SMTP server is down and retried
// with growing waits until it listens; and not lost when the portal restarts meanwhile.
// libcurl (and libpq) are opened only when used: a Maildir instance on SQLite maps neither.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, startServer, textOf, usingPostgres } from './lib/server.mjs';
import { linksIn, readMaildir, waitForMail } from './lib/mail.mjs';
import { startSmtp } from './lib/smtp.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100'];
const PYTHON = process.env.PFORTE_PYTHON || '/usr/bin/python3';
const SINK = path.join(REPO_ROOT, 'tests/http/lib/smtp_sink.py');

// ---- helpers ----------------------------------------------------------------------------

/** Polls fn until it returns something truthy; throws with what() after timeoutMs. */
async function until(fn, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How often the server logged event=NAME so far. */
function logCount(server, name) {
  return server.stderr.split('\n').filter((l) => l.includes(`event=${name} `)).length;
}

/** The SMTP sink of lib/smtp.mjs on a port chosen here (startSmtp picks its own). */
async function startSinkOnPort(port) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-smtp-'));
  const maildir = path.join(dir, 'mail');
  const proc = spawn(PYTHON, [SINK, '--maildir', maildir, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  await until(() => out.includes('event=listening') || proc.exitCode !== null, () => `sink: ${err}`);
  assert.match(out, new RegExp(`event=listening port=${port}`), `sink on ${port}: ${err}`);
  return {
    maildir,
    messages: () => readMaildir(maildir),
    waitForMail: (pred, opts) => waitForMail(maildir, pred, opts),
    async stop() {
      proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sendRegistration(server, email) {
  const c = server.client();
  const r = await c.submitForm('/register', { email });
  assert.equal(r.status, 200, textOf(r.text).slice(0, 300));
  return c;
}

// ---- tests ------------------------------------------------------------------------------

describe('registration mail over SMTP', () => {
  it('arrives at the SMTP server, to the right envelope recipient, as built for Maildir', async () => {
    const sink = await startSmtp();
    const server = await startServer({ args: [...LIMITS, '--mail', sink.url] });
    try {
      const c = await sendRegistration(server, 'smtp.user@example.com');
      const mail = await sink.waitForMail({ to: 'smtp.user@example.com' });
      assert.equal(mail.header('x-sink-rcpt-to'), 'smtp.user@example.com');
      assert.match(mail.subject, /Bestätigen Sie Ihre E-Mail-Adresse/);
      assert.match(mail.header('content-type'), /^multipart\/alternative/);
      assert.equal(mail.header('auto-submitted'), 'auto-generated');
      const link = linksIn(mail).find((l) => l.includes('/register/finish?token='));
      assert.ok(link && link.startsWith(server.url));
      assert.equal((await c.get(link)).status, 200, 'the link from the SMTP mail works');
      assert.equal(readMaildir(server.maildir).length, 0, 'nothing went to the local Maildir');
    } finally {
      await server.stop();
      await sink.stop();
    }
  });

  it('logs in with AUTH when the URL has credentials', async () => {
    const sink = await startSmtp({ auth: 'portal:s3cret' });
    const server = await startServer({ args: [...LIMITS, '--mail', sink.url] });
    try {
      await sendRegistration(server, 'smtp.auth@example.com');
      await sink.waitForMail({ to: 'smtp.auth@example.com' });
      assert.ok(!server.stderr.includes('s3cret'), 'the SMTP password is not logged');
    } finally {
      await server.stop();
      await sink.stop();
    }
  });

  it('stays queued while the SMTP server is down, retried with growing waits until it is up', async () => {
    const port = await freePort(); // nobody listens here yet
    const server = await startServer({ args: [...LIMITS, '--mail', `smtp://127.0.0.1:${port}`] });
    let sink;
    try {
      await sendRegistration(server, 'smtp.later@example.com');
      await until(() => logCount(server, 'mail_retry') >= 1, () => server.tail(5));
      assert.match(server.stderr, /event=mail_retry id=\d+ attempts=1 next_in=30s/);
      assert.doesNotMatch(server.stderr, /event=mail_failed/, 'not given up');
      // the next attempt comes 30 s later (server clock), and fails again: the wait doubles
      server.advanceClock(31);
      await until(() => logCount(server, 'mail_retry') >= 2, () => server.tail(5));
      assert.match(server.stderr, /event=mail_retry id=\d+ attempts=2 next_in=60s/);
      assert.ok(!server.stderr.includes('smtp.later@example.com'), 'no recipient in the log');

      sink = await startSinkOnPort(port);
      server.advanceClock(61);
      const mail = await sink.waitForMail({ to: 'smtp.later@example.com' });
      assert.match(mail.subject, /Bestätigen Sie Ihre E-Mail-Adresse/);
      await until(() => logCount(server, 'mail_sent') >= 1, () => server.tail(5));
      assert.equal(sink.messages().length, 1, 'delivered once');
    } finally {
      await server.stop();
      if (sink) await sink.stop();
    }
  });

  it('is not lost when the portal restarts while the SMTP server is down', async () => {
    const port = await freePort();
    // both servers use this data directory (a later --data wins over the harness's own);
    // SQLite on purpose: the harness gives each server a fresh PostgreSQL database
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-restart-'));
    const args = [...LIMITS, '--data', data, '--mail', `smtp://127.0.0.1:${port}`];
    let sink;
    let second;
    try {
      const first = await startServer({ args, db: false });
      let link;
      try {
        await sendRegistration(first, 'smtp.restart@example.com');
        await until(() => logCount(first, 'mail_retry') >= 1, () => first.tail(5));
      } finally {
        await first.stop();
      }
      sink = await startSinkOnPort(port);
      fs.writeFileSync(path.join(data, 'clock-offset'), '120\n'); // past the 30 s backoff
      second = await startServer({ args, db: false });
      const mail = await sink.waitForMail({ to: 'smtp.restart@example.com' });
      await until(() => logCount(second, 'mail_sent') >= 1, () => second.tail(5));
      assert.equal(sink.messages().length, 1, 'exactly one copy');
      link = linksIn(mail).find((l) => l.includes('/register/finish?token='));
      // the link names the first server's port: ask the second one for the same path
      const finish = await second.client().get(new URL(link).pathname + new URL(link).search);
      assert.equal(finish.status, 200, 'the token survived the restart too');
    } finally {
      if (second) await second.stop();
      if (sink) await sink.stop();
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('libraries opened when first needed', () => {
  const maps = (server) => fs.readFileSync(`/proc/${server.proc.pid}/maps`, 'utf8');

  it('maps libcurl once a mail goes out by SMTP, never for the Maildir, libpq only for PostgreSQL', async () => {
    const sink = await startSmtp();
    const local = await startServer({ args: LIMITS });
    const smtp = await startServer({ args: [...LIMITS, '--mail', sink.url] });
    try {
      await sendRegistration(local, 'maildir.only@example.com');
      await until(() => readMaildir(local.maildir).length >= 1, () => local.tail(5));
      assert.doesNotMatch(maps(local), /libcurl/, 'a Maildir instance does not load libcurl');
      assert.equal(/libpq\.so/.test(maps(local)), usingPostgres(), 'libpq only with PostgreSQL');
      assert.doesNotMatch(maps(smtp), /libcurl/, 'not before the first SMTP delivery');
      await sendRegistration(smtp, 'smtp.loaded@example.com');
      await sink.waitForMail({ to: 'smtp.loaded@example.com' });
      assert.match(maps(smtp), /libcurl/);
    } finally {
      await local.stop();
      await smtp.stop();
      await sink.stop();
    }
  });
});
