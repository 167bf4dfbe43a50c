// smtp: a throwaway SMTP server (smtp_sink.py on Debian's python3-aiosmtpd) for tests of
// the SMTP transport. Received messages land in a Maildir read with the helpers of mail.mjs;
// the envelope is in the X-Sink-Mail-From / X-Sink-Rcpt-To headers. Loopback only.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMaildir, waitForMail } from './mail.mjs';

const SINK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');
// the python3 first on PATH may not be Debian's, which is the one with aiosmtpd
const PYTHON = process.env.PFORTE_PYTHON || '/usr/bin/python3';
const live = new Set();
process.on('exit', () => {
  for (const s of live) {
    try {
      s.proc.kill('SIGKILL');
    } catch {}
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

/**
 * Starts an SMTP sink. options: auth ('user:password', required before MAIL), reject
 * (regex source; matching recipients get 550), failFirst (first N deliveries get 451).
 * Resolves to {port, url (smtp://[user:pass@]127.0.0.1:port), maildir, messages(),
 * waitForMail(pred, opts), stop()}.
 */
export async function startSmtp({ auth, reject, failFirst = 0, delayMs = 0 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-smtp-'));
  const maildir = path.join(dir, 'mail');
  const args = [SINK, '--maildir', maildir];
  if (auth) args.push('--auth', auth);
  if (reject) args.push('--reject', reject);
  if (failFirst) args.push('--fail-first', String(failFirst));
  if (delayMs) args.push('--delay-ms', String(delayMs));
  const proc = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.unref();
  proc.stdout.unref();
  proc.stderr.unref();
  const sink = { proc, dir, maildir, port: 0, stderr: '' };
  live.add(sink);
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => (sink.stderr += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  sink.port = await new Promise((resolve, reject_) => {
    let out = '';
    const timer = setTimeout(() => reject_(new Error(`SMTP sink not ready: ${sink.stderr}`)), 15000);
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/event=listening port=(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject_(new Error(`SMTP sink exited (${code}): ${sink.stderr}`));
    });
  });
  const creds = auth ? `${auth.split(':').map(encodeURIComponent).join(':')}@` : '';
  return {
    port: sink.port,
    url: `smtp://${creds}127.0.0.1:${sink.port}`,
    maildir,
    messages: () => readMaildir(maildir),
    waitForMail: (pred, opts) => waitForMail(maildir, pred, opts),
    async stop() {
      if (!live.has(sink)) return;
      live.delete(sink);
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
