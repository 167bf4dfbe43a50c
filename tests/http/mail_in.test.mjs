// mail_in: replies by e-mail. Feeds every message of tests/mail-in/ (Outlook, Gmail, Apple Mail,
// Thunderbird; ISO-8859-1, Windows-1252 and UTF-8; HTML-only; attachments; forwards;
// auto-replies, bounces, bulk, loops, duplicates; unknown senders and known customers without
// a match) to `pforte mail-in` against a running server's data directory, in order, and checks
// what tests/mail-in/expected.json says through the portal's pages and mails: the comment's
// text (quotes and signatures cut), its files, new requests, who is mailed. Then the limits
// (size, creating requests switched off) and `pforte mail-poll` against a small IMAP server
// on loopback (lib/imap_server.py).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, TEST_SERVER_ENV, freePort, headings, pforteBin, runPforte, startServer, textOf,
  useServer }
  from './lib/server.mjs';
import { addUser, login, sql } from './lib/fixtures.mjs';

const CORPUS = path.join(REPO_ROOT, 'tests/mail-in');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected.json'), 'utf8'));

async function createRequest(client) {
  const r = await client.submitForm('/new/problem', {
    f_summary: 'Export stops at 50 %', f_description: 'The journal export stops.',
    f_product: 'cloud', f_urgency: 'high', f_version: '5.2',
    participants: 'dora@example.com',
  }, { action: '/new/' });
  assert.equal(r.status, 303, r.text.slice(0, 500));
  return r.location.match(/\/requests\/([A-Z]+-\d+)/)[1];
}

/** `pforte mail-in` on the server's data with the server's public settings. */
function mailIn(server, input, extraArgs = []) {
  const args = ['mail-in', '--data', server.dataDir, '--base-url', server.url, ...extraArgs];
  if (server.database) args.push('--db', server.database.url);
  return runPforte(args, { input, env: TEST_SERVER_ENV });
}

/** The text of the last comment on a request page (its entry in the activity). */
function lastComment(html) {
  const items = html.split('<li class="tl-item').filter((s) => s.includes('tl-is-comment'));
  assert.ok(items.length, 'the page shows a comment');
  return textOf('<li class="tl-item' + items[items.length - 1].split('</article>')[0]);
}

const squash = (s) => s.replace(/\s+/g, ' ').trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fills the placeholders of a corpus message (bytes, so ISO-8859-1 stays as it is). */
function fill(bytes, vars) {
  let s = bytes.toString('latin1');
  for (const [k, v] of Object.entries(vars)) s = s.split(`%${k}%`).join(v);
  return Buffer.from(s, 'latin1');
}

function stripBrackets(id) {
  return id.replace(/^<|>$/g, '');
}

describe('mail-in corpus', () => {
  const srv = useServer();
  let carla, agent, erik, key, vars;

  before(async () => {
    const s = srv.server;
    addUser(s, 'carla@example.com', 'Carla Kunde');
    addUser(s, 'dora@example.com', 'Dora Teilnehmerin');
    addUser(s, 'erik@example.com', 'Erik Extern');
    addUser(s, 'agnes@example.com', 'Agnes Agent', 'agent');
    carla = await login(s, 'carla@example.com');
    agent = await login(s, 'agnes@example.com');
    erik = await login(s, 'erik@example.com');
    key = await createRequest(carla);
    const confirmation = await s.waitForMail({ to: 'carla@example.com', subject: key });
    const replyTo = confirmation.header('reply-to');
    const token = replyTo.match(/support\+([A-Za-z0-9_-]{43})@localhost/)[1];
    const rootId = stripBrackets(confirmation.header('message-id'));
    vars = { KEY: key, TOKEN: token, TOKEN_ADDR: `support+${token}@localhost`, ROOT_ID: rootId,
      LAST_ID: rootId };
  });

  it('notification mails carry the plus-addressed Reply-To and mark themselves as automatic', async () => {
    const s = srv.server;
    const toDora = await s.waitForMail({ to: 'dora@example.com', subject: key });
    assert.match(toDora.header('reply-to'), new RegExp(`<support\\+${vars.TOKEN}@localhost>`));
    assert.equal(toDora.header('auto-submitted'), 'auto-generated');
    assert.equal(toDora.header('x-pforte'), '1');
    // the confirmation's Message-ID is kept on the request, where replies to it are looked up
    assert.equal(sql(s, `SELECT count(*) FROM requests WHERE message_id = '<${vars.ROOT_ID}>'`), '1');
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    if (file.startsWith('_')) continue;
    it(`${file}: ${want.outcome}`, async () => {
      const s = srv.server;
      const mailsBefore = s.mail().length;
      const eventsBefore = sql(s, 'SELECT count(*) FROM events');
      const requestsBefore = sql(s, 'SELECT count(*) FROM requests');
      const input = fill(fs.readFileSync(path.join(CORPUS, file)), vars);
      const r = mailIn(s, input);
      assert.equal(r.status, want.exit, `exit code; stdout ${r.stdout} stderr ${r.stderr}`);
      const logged = sql(s, 'SELECT outcome FROM mail_in_log ORDER BY id DESC LIMIT 1');
      assert.equal(logged, want.outcome, `logged outcome; stdout ${r.stdout} stderr ${r.stderr}`);
      if (want.exit === 0) assert.match(r.stdout, new RegExp(`^${want.outcome}\\b`));
      else assert.match(r.stderr, new RegExp(`pforte mail-in: ${want.outcome}: `));

      let pageKey = key;
      if (want.on === 'new') {
        pageKey = r.stdout.match(/^created ([A-Z]+-\d+)/)[1];
        assert.notEqual(pageKey, key);
      }
      if (!want.on) {
        assert.equal(sql(s, 'SELECT count(*) FROM events'), eventsBefore, 'nothing filed');
        assert.equal(sql(s, 'SELECT count(*) FROM requests'), requestsBefore, 'no new request');
      }
      const page = await agent.get(`/requests/${pageKey}`);
      assert.equal(page.status, 200);
      const pageText = textOf(page.text);
      if (want.on === 'main') {
        const comment = lastComment(page.text);
        for (const t of want.shows || []) assert.ok(comment.includes(squash(t)), `comment shows "${t}": ${comment}`);
        for (const t of want.hides || []) assert.ok(!comment.includes(squash(t)), `comment hides "${t}": ${comment}`);
        for (const f of want.files || []) assert.ok(comment.includes(f), `file ${f} in ${comment}`);
      } else if (want.on === 'new') {
        assert.ok(headings(page.text).some((h) => h.includes(want.summary) && !h.includes('[')),
          `summary ${want.summary} (without an old key) in ${headings(page.text)}`);
        for (const t of want.shows || []) assert.ok(pageText.includes(squash(t)), `page shows "${t}"`);
        for (const t of want.hides || []) assert.ok(!pageText.includes(squash(t)), `page hides "${t}"`);
        // the sender sees it as their own request in the portal
        const own = await erik.get(`/requests/${pageKey}`);
        const ownerClient = own.status === 200 ? erik : carla;
        assert.equal((await ownerClient.get(`/requests/${pageKey}`)).status, 200);
      } else {
        for (const t of want.hides || []) assert.ok(!pageText.includes(squash(t)), `page hides "${t}"`);
      }
      for (const t of want.hides_on_main || []) {
        assert.ok(!textOf((await agent.get(`/requests/${key}`)).text).includes(t));
      }

      const snippet = squash((want.shows || [''])[0]).slice(0, 25);
      for (const to of want.mailed || []) {
        // comments are quoted in the notification; a new request gets its confirmation
        const m = await s.waitForMail((msg) => msg.to.includes(to) && msg.subject.includes(pageKey) &&
          (want.on !== 'main' || squash(msg.text).includes(snippet)), { after: mailsBefore });
        if (to === 'carla@example.com' && want.on === 'main') vars.LAST_ID = stripBrackets(m.header('message-id'));
      }
      if ((want.not_mailed || []).length) {
        await sleep(300); // the worker polls every 50 ms; the others' mails are there already
        for (const to of want.not_mailed) {
          const wrong = s.mail().slice(mailsBefore).filter((msg) => msg.to.includes(to) &&
            squash(msg.text).includes(snippet));
          assert.equal(wrong.length, 0, `no mail back to the sender ${to}`);
        }
      }
    });
  }

  it('an agent\'s mail reply is public: the customer sees it on the page', async () => {
    const page = await carla.get(`/requests/${key}`);
    assert.match(textOf(page.text), /Bitte installieren Sie Version 5\.3/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('mail-in limits and settings', () => {
  const srv = useServer();

  before(() => {
    addUser(srv.server, 'carla@example.com', 'Carla Kunde');
  });

  const newMail = (id, extra = '') => Buffer.from(
    `From: Carla Kunde <carla@example.com>\nTo: support@localhost\nSubject: Neue Frage ${id}\n` +
    `Message-ID: <${id}@example.com>\nContent-Type: text/plain; charset=utf-8\n\nText ${id}\n${extra}`);

  it('refuses a message above mail_in_max_bytes with EX_DATAERR and a reason for the bounce', () => {
    const s = srv.server;
    const big = newMail('big-1', 'x'.repeat(3000) + '\n');
    const r = mailIn(s, big, ['--mail-in-max-bytes', '2048']);
    assert.equal(r.status, 65);
    assert.match(r.stderr, /too_large: Die Nachricht ist größer als die Grenze von 2 KB\. \/ The message is larger than the limit of 2 KB\./);
    assert.equal(sql(s, "SELECT outcome FROM mail_in_log ORDER BY id DESC LIMIT 1"), 'too_large');
    assert.equal(sql(s, 'SELECT count(*) FROM requests'), '0');
    // just under the limit is filed
    const small = newMail('small-1', 'x'.repeat(1500) + '\n');
    assert.ok(small.length <= 2048);
    const ok = mailIn(s, small, ['--mail-in-max-bytes', '2048']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^created /);
  });

  it('with mail_in_create_requests off a known customer\'s new mail is logged, not filed', () => {
    const s = srv.server;
    const before = sql(s, 'SELECT count(*) FROM requests');
    const r = mailIn(s, newMail('off-1'), ['--mail-in-create-requests=false']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^no_match/);
    assert.equal(sql(s, 'SELECT count(*) FROM requests'), before);
    assert.match(sql(s, "SELECT detail FROM mail_in_log ORDER BY id DESC LIMIT 1"), /off/);
  });

  it('files a new request under the configured request type', async () => {
    const s = srv.server;
    const r = mailIn(s, newMail('type-1'), ['--mail-in-request-type', 'idea']);
    assert.equal(r.status, 0, r.stderr);
    const k = r.stdout.match(/^created ([A-Z]+-\d+)/)[1];
    const number = k.split('-')[1];
    assert.equal(sql(s, `SELECT t.key FROM requests r JOIN request_types t ON t.id = r.type_id WHERE r.number = ${number}`), 'idea');
  });

  it('a reply to a closed request starts a new request instead of getting lost', async () => {
    const s = srv.server;
    const r = mailIn(s, newMail('closed-1'));
    const k = r.stdout.match(/^created ([A-Z]+-\d+)/)[1];
    const conf = await s.waitForMail({ to: 'carla@example.com', subject: k });
    const token = conf.header('reply-to').match(/support\+([A-Za-z0-9_-]{43})@localhost/)[1];
    sql(s, `UPDATE requests SET status = 'closed' WHERE number = ${k.split('-')[1]}`);
    const reply = Buffer.from(`From: carla@example.com\nTo: support+${token}@localhost\n` +
      `Subject: Re: Neue Frage closed-1\nMessage-ID: <closed-2@example.com>\n\nNoch eine Sache.\n`);
    const again = mailIn(s, reply);
    assert.equal(again.status, 0, again.stderr);
    const created = again.stdout.match(/^created ([A-Z]+-\d+)/);
    assert.ok(created, again.stdout);
    assert.notEqual(created[1], k);
  });

  it('refuses files over the attachment limit with EX_DATAERR, naming the limit', () => {
    const s = srv.server;
    const before = sql(s, 'SELECT count(*) FROM attachments');
    const big = Buffer.from('From: carla@example.com\nTo: support@localhost\nSubject: Datei\n' +
      'Message-ID: <file-1@example.com>\nContent-Type: multipart/mixed; boundary=B\n\n--B\n' +
      'Content-Type: text/plain\n\nAnbei.\n--B\nContent-Type: application/octet-stream\n' +
      'Content-Disposition: attachment; filename=gross.bin\nContent-Transfer-Encoding: base64\n\n' +
      Buffer.alloc(3000, 7).toString('base64') + '\n--B--\n');
    const r = mailIn(s, big, ['--max-attachment-bytes', '2048']);
    assert.equal(r.status, 65, r.stdout + r.stderr);
    assert.match(r.stderr, /rejected: .*2 KB.* \/ Each file may be at most 2 KB/);
    assert.equal(sql(s, 'SELECT count(*) FROM attachments'), before);
  });

  it('limits filing per sender and answers EX_TEMPFAIL above it (the MTA retries later)', () => {
    const s = srv.server;
    const args = ['--rate-mail-in-sender', '1'];
    sql(s, "DELETE FROM rate_limits WHERE bucket LIKE 'mail-in%'");
    assert.equal(mailIn(s, newMail('rate-1'), args).status, 0);
    const r = mailIn(s, newMail('rate-2'), args);
    assert.equal(r.status, 75, r.stdout + r.stderr);
    assert.match(r.stderr, /rate_limited/);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

// ---- mail-poll against a tiny IMAP server --------------------------------------------------

async function startImap(dir, port, host = '127.0.0.1') {
  const proc = spawn('/usr/bin/python3', [path.join(REPO_ROOT, 'tests/http/lib/imap_server.py'),
    '--host', host, '--port', String(port), '--dir', dir, '--user', 'support', '--password', 'geheim'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  for (let i = 0; i < 100 && !out.includes('listening'); i++) await sleep(50);
  assert.match(out, /listening/, `IMAP server did not start: ${out}`);
  return { proc, log: () => out };
}

function flagsOf(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'flags.json'), 'utf8'));
}

describe('mail-poll (IMAP)', () => {
  const srv = useServer();
  let imap, dir, port;

  before(async () => {
    addUser(srv.server, 'carla@example.com', 'Carla Kunde');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-imap-'));
    const mk = (uid, text) => fs.writeFileSync(path.join(dir, `${uid}.eml`), text.replace(/\n/g, '\r\n'));
    mk(1, 'From: Carla Kunde <carla@example.com>\nTo: support@localhost\nSubject: Per IMAP\n' +
      'Message-ID: <imap-1@example.com>\nContent-Type: text/plain; charset=utf-8\n\nÜber IMAP gekommen.\n');
    mk(2, 'From: Carla Kunde <carla@example.com>\nTo: support@localhost\nSubject: Abwesend\n' +
      'Auto-Submitted: auto-replied\nMessage-ID: <imap-2@example.com>\n\nBin weg.\n');
    mk(3, 'From: Niemand <niemand@example.net>\nTo: support@localhost\nSubject: Hallo\n' +
      'Message-ID: <imap-3@example.com>\n\nWer bin ich?\n');
    fs.writeFileSync(path.join(dir, 'flags.json'), JSON.stringify({ 3: ['\\Seen'] }));
    port = await freePort();
    imap = await startImap(dir, port);
  });

  after(() => {
    if (imap) imap.proc.kill('SIGTERM');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const pollArgs = (password = 'geheim') => ['mail-poll', '--data', srv.server.dataDir,
    '--base-url', srv.server.url, '--imap-url', `imap://127.0.0.1:${port}/INBOX`,
    '--imap-user', 'support', '--imap-password', password,
    ...(srv.server.database ? ['--db', srv.server.database.url] : [])];

  it('files the unseen messages once and marks them \\Seen', async () => {
    const r = runPforte(pollArgs(), { env: TEST_SERVER_ENV });
    assert.equal(r.status, 0, r.stdout + r.stderr + imap.log());
    assert.match(r.stdout, /uid 1: created [A-Z]+-\d+/);
    assert.match(r.stdout, /uid 2: auto_reply/);
    assert.doesNotMatch(r.stdout, /uid 3:/, 'seen before: not fetched');
    const flags = flagsOf(dir);
    assert.ok(flags['1'].includes('\\Seen') && flags['2'].includes('\\Seen'));
    const k = r.stdout.match(/uid 1: created ([A-Z]+-\d+)/)[1];
    const carla = await login(srv.server, 'carla@example.com');
    assert.match(textOf((await carla.get(`/requests/${k}`)).text), /Über IMAP gekommen\./);
    const again = runPforte(pollArgs(), { env: TEST_SERVER_ENV });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), '', 'nothing unseen is left');
  });

  it('leaves a message unseen when filing must be retried, and files it on the next run', async () => {
    fs.writeFileSync(path.join(dir, '4.eml'), ('From: Carla Kunde <carla@example.com>\nTo: support@localhost\n' +
      'Subject: Spaeter\nMessage-ID: <imap-4@example.com>\n\nNoch einmal.\n').replace(/\n/g, '\r\n'));
    // over the per-sender rate limit: temporary
    const limited = runPforte([...pollArgs(), '--rate-mail-in-sender', '1'], { env: TEST_SERVER_ENV });
    assert.equal(limited.status, 0, limited.stderr);
    assert.match(limited.stdout, /uid 4: rate_limited/);
    assert.ok(!(flagsOf(dir)['4'] || []).includes('\\Seen'), 'still unseen');
    const r = runPforte(pollArgs(), { env: TEST_SERVER_ENV });
    assert.match(r.stdout, /uid 4: created/);
    assert.ok(flagsOf(dir)['4'].includes('\\Seen'));
  });

  it('with --interval keeps polling until SIGTERM, and a wrong password is an error', async () => {
    const bad = runPforte(pollArgs('falsch'), { env: TEST_SERVER_ENV });
    assert.equal(bad.status, 75);
    assert.match(bad.stderr, /mailbox could not be read/);
    assert.doesNotMatch(bad.stderr + bad.stdout, /falsch|geheim/, 'the password is never printed');

    // imap:// to another host than this one must upgrade to TLS: the password never goes in clear
    const remotePort = await freePort();
    const remote = await startImap(dir, remotePort, '127.0.0.2');
    try {
      const args = pollArgs().map((a) => a.replace(`imap://127.0.0.1:${port}/`, `imap://127.0.0.2:${remotePort}/`));
      const plain = runPforte(args, { env: TEST_SERVER_ENV });
      assert.equal(plain.status, 75, plain.stdout + plain.stderr);
      assert.doesNotMatch(remote.log(), /LOGIN received/);
    } finally {
      remote.proc.kill('SIGTERM');
    }

    const child = spawn(pforteBin(), [...pollArgs(), '--interval', '1'], {
      env: { ...process.env, ...TEST_SERVER_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    await sleep(300);
    fs.writeFileSync(path.join(dir, '5.eml'), ('From: Carla Kunde <carla@example.com>\nTo: support@localhost\n' +
      'Subject: Im Intervall\nMessage-ID: <imap-5@example.com>\n\nAlle Sekunde.\n').replace(/\n/g, '\r\n'));
    for (let i = 0; i < 60 && !out.includes('uid 5:'); i++) await sleep(100);
    assert.match(out, /uid 5: created/);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
  });

  it('stops cleanly on SIGTERM', () => srv.stop());
});

describe('serve polls the mailbox itself (mail_poll_seconds)', () => {
  it('files new mail in the background and still stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-imap-'));
    const port = await freePort();
    const imap = await startImap(dir, port);
    let server;
    try {
      server = await startServer({ args: ['--imap-url', `imap://127.0.0.1:${port}/INBOX`,
        '--imap-user', 'support', '--imap-password', 'geheim', '--mail-poll-seconds', '1'] });
      addUser(server, 'carla@example.com', 'Carla Kunde');
      fs.writeFileSync(path.join(dir, '1.eml'), ('From: Carla Kunde <carla@example.com>\n' +
        'To: support@localhost\nSubject: Vom Server abgeholt\nMessage-ID: <serve-1@example.com>\n\n' +
        'Der Server holt die Mail selbst ab.\n').replace(/\n/g, '\r\n'));
      let outcome = '';
      for (let i = 0; i < 100 && outcome !== 'created'; i++) {
        await sleep(100);
        outcome = sql(server, "SELECT outcome FROM mail_in_log WHERE message_id = '<serve-1@example.com>'");
      }
      assert.equal(outcome, 'created', server.tail());
      assert.ok(flagsOf(dir)['1'].includes('\\Seen'));
      await server.waitForMail({ to: 'carla@example.com', subject: 'Vom Server abgeholt' });
      await server.stop();
    } finally {
      if (server) await server.stop({ expectClean: false });
      imap.proc.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
