// server: starts the real `pforte serve` for black-box tests and cleans up after it.
// Each server gets a free loopback port, a fresh temporary data directory and, when
// PFORTE_TEST_DB holds a PostgreSQL URL, a fresh database on that server - so the same suite
// runs against SQLite and PostgreSQL. A server whose stderr shows a sanitizer report fails the
// test that was running. Only node built-ins; never targets anything but 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { after, afterEach, before } from 'node:test';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { readMaildir, waitForMail } from './mail.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of the binary under test: $PFORTE_BIN or build/pforte. */
export function pforteBin() {
  return path.resolve(REPO_ROOT, process.env.PFORTE_BIN || 'build/pforte');
}

/** True while PFORTE_TEST_DB names a PostgreSQL server the servers should use. */
export function usingPostgres() {
  return Boolean(process.env.PFORTE_TEST_DB);
}

const START_TIMEOUT_MS = Number(process.env.PFORTE_TEST_START_MS || 30000);
const STOP_TIMEOUT_MS = Number(process.env.PFORTE_TEST_STOP_MS || 15000);
const SANITIZER_PATTERNS = [
  'ERROR: AddressSanitizer',
  'ERROR: LeakSanitizer',
  'runtime error:',
  'WARNING: ThreadSanitizer',
];

// Settings every test server gets unless a test says otherwise (options.env wins): cheap
// password hashing (tests do not measure it; ASan makes the real cost ~10x) and a mail
// worker that looks often, so a test waits milliseconds for its mail, not half a second.
export const TEST_SERVER_ENV = {
  PFORTE_ARGON2_OPS: '1',
  PFORTE_ARGON2_MEM_KIB: '8192',
  PFORTE_OUTBOX_POLL_MS: '50',
};

const live = new Set(); // servers not yet stopped, killed on process exit whatever happened

process.on('exit', () => {
  for (const s of live) {
    try {
      s.proc.kill('SIGKILL');
    } catch {}
    s.removeDataDirSync();
    if (s.database) dropTestDatabase(s.database.name);
  }
});

/** A port that was free a moment ago (the kernel picks it); loopback only. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Environment for a child: ours minus every PFORTE_* setting (a test states its own). */
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PFORTE_')) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `pforte ARGS...` to completion (not `serve`): {status, signal, stdout, stderr}. */
export function runPforte(args, { env = {}, timeoutMs = 20000, input } = {}) {
  const r = spawnSync(pforteBin(), args, {
    cwd: REPO_ROOT,
    env: childEnv(env),
    encoding: 'utf8',
    timeout: timeoutMs,
    input,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The sanitizer report in text, or null. */
export function sanitizerReport(text) {
  for (const p of SANITIZER_PATTERNS) {
    const i = text.indexOf(p);
    if (i >= 0) return text.slice(Math.max(0, i - 200), i + 4000);
  }
  return null;
}

// ---- PostgreSQL: one fresh database per server ------------------------------------------

function pgUrlWithDatabase(base, name) {
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

function psql(baseUrl, sql) {
  const r = spawnSync('psql', [pgUrlWithDatabase(baseUrl, 'postgres'), '-v', 'ON_ERROR_STOP=1',
    '-X', '-q', '-c', sql], { encoding: 'utf8', timeout: 30000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (${sql}): ${r.stderr}`);
  return r.stdout;
}

function createTestDatabase() {
  const base = process.env.PFORTE_TEST_DB;
  const name = `pforte_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  psql(base, `CREATE DATABASE ${name}`);
  return { name, url: pgUrlWithDatabase(base, name) };
}

function dropTestDatabase(name) {
  try {
    psql(process.env.PFORTE_TEST_DB, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } catch {
    // the cluster is thrown away after the run anyway
  }
}

// ---- the server -------------------------------------------------------------------------

export class PforteServer {
  constructor() {
    this.proc = null;
    this.port = 0;
    this.url = '';
    this.dataDir = '';
    this.database = null; // {name, url} on PostgreSQL
    this.args = [];
    this.stderrText = '';
    this.stdoutText = '';
    this.exit = null; // {code, signal} once exited
    this.exited = null; // promise
    this.stopped = false;
    this.sanitizerChecked = 0; // stderr offset up to which reports were raised already
  }

  /** Stderr printed so far (the server's key=value log). */
  get stderr() {
    return this.stderrText;
  }

  /** Last lines of stderr, for error messages. */
  tail(n = 40) {
    return this.stderrText.split('\n').slice(-n).join('\n');
  }

  /** Throws when stderr holds a sanitizer report not raised before. */
  checkSanitizer() {
    const fresh = this.stderrText.slice(this.sanitizerChecked);
    this.sanitizerChecked = this.stderrText.length;
    const report = sanitizerReport(fresh);
    if (report) throw new Error(`sanitizer report in server stderr:\n${report}`);
  }

  /** Throws when the server died by itself. */
  checkAlive() {
    if (this.exit && !this.stopped)
      throw new Error(`server exited unexpectedly (code ${this.exit.code}, signal ` +
        `${this.exit.signal}); stderr:\n${this.tail()}`);
  }

  removeDataDirSync() {
    if (this.dataDir && !process.env.PFORTE_TEST_KEEP) {
      try {
        fs.rmSync(this.dataDir, { recursive: true, force: true });
      } catch {}
    }
  }

  /** Stops with SIGTERM and asserts a graceful exit (code 0, no sanitizer report). */
  async stop({ expectClean = true } = {}) {
    if (!this.proc) return;
    if (this.stopped) return this.exit;
    const diedEarly = this.exit !== null;
    this.stopped = true;
    let timer;
    if (!diedEarly) {
      this.proc.kill('SIGTERM');
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
      });
      if ((await Promise.race([this.exited, timeout])) === 'timeout') {
        this.proc.kill('SIGKILL');
        await this.exited;
        clearTimeout(timer);
        this.cleanup();
        throw new Error(`server did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; ` +
          `stderr:\n${this.tail()}`);
      }
      clearTimeout(timer);
    }
    this.cleanup();
    const report = sanitizerReport(this.stderrText.slice(this.sanitizerChecked));
    this.sanitizerChecked = this.stderrText.length;
    if (report) throw new Error(`sanitizer report in server stderr:\n${report}`);
    if (expectClean && diedEarly)
      throw new Error(`server had exited before stop (code ${this.exit.code}, signal ` +
        `${this.exit.signal}); stderr:\n${this.tail()}`);
    if (expectClean && (this.exit.code !== 0 || this.exit.signal))
      throw new Error(`server did not exit cleanly on SIGTERM (code ${this.exit.code}, ` +
        `signal ${this.exit.signal}); stderr:\n${this.tail()}`);
    return this.exit;
  }

  cleanup() {
    live.delete(this);
    this.removeDataDirSync();
    if (this.database) dropTestDatabase(this.database.name);
  }

  /** Absolute URL for a path on this server. */
  u(p = '/') {
    return this.url + p;
  }

  /** fetch() against this server (redirects not followed unless asked). */
  fetch(p, init = {}) {
    this.checkAlive();
    return fetch(this.u(p), { redirect: 'manual', ...init });
  }

  /** A fresh cookie-keeping client for this server. */
  client(opts) {
    return new Client(this.url, opts);
  }

  // ---- clock (--test-clock) --------------------------------------------------------------

  /** Sets the clock offset (seconds added to the server's clock). */
  setClockOffset(seconds) {
    const file = path.join(this.dataDir, 'clock-offset');
    const tmp = `${file}.tmp${process.pid}`;
    fs.writeFileSync(tmp, `${Math.trunc(seconds)}\n`);
    fs.renameSync(tmp, file);
    this.clockOffset = Math.trunc(seconds);
  }

  /** Moves the server's clock forward by seconds (negative goes back). */
  advanceClock(seconds) {
    this.setClockOffset((this.clockOffset || 0) + seconds);
  }

  // ---- mail (Maildir transport) ----------------------------------------------------------

  get maildir() {
    return path.join(this.dataDir, 'mail');
  }

  /** Every message delivered so far, oldest first, parsed (see mail.mjs). */
  mail() {
    return readMaildir(this.maildir);
  }

  /** Waits for a message matching pred ({to, subject} or a function); returns it. */
  waitForMail(pred, opts) {
    return waitForMail(this.maildir, pred, { ...opts, alive: () => this.checkAlive() });
  }
}

/**
 * Starts `pforte serve` and waits until GET /healthz answers 200.
 * options: demo (default true), testClock (default true), args (extra flags),
 * env (extra environment, e.g. {PFORTE_PORTAL_NAME: 'X'}; TEST_SERVER_ENV is the default),
 * bin (another binary),
 * db (false to not create a PostgreSQL database even when PFORTE_TEST_DB is set).
 */
export async function startServer(options = {}) {
  const { demo = true, testClock = true, args = [], env = {}, bin = pforteBin() } = options;
  if (!fs.existsSync(bin)) throw new Error(`binary under test missing: ${bin} (run make)`);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const s = new PforteServer();
    try {
      await launch(s, { demo, testClock, args, env, bin, useDb: options.db !== false });
      return s;
    } catch (e) {
      lastError = e;
      if (s.proc && !s.exit) {
        s.proc.kill('SIGKILL');
        await s.exited;
      }
      s.cleanup();
      // retry only when another process took the port between freePort() and bind()
      if (!/address already in use|EADDRINUSE|cannot bind|bind/i.test(s.stderrText)) break;
    }
  }
  throw lastError;
}

async function launch(s, { demo, testClock, args, env, bin, useDb }) {
  s.port = await freePort();
  s.url = `http://127.0.0.1:${s.port}`;
  s.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-test-'));
  const argv = ['serve', '--listen', `127.0.0.1:${s.port}`, '--data', s.dataDir,
    '--base-url', s.url];
  if (demo) argv.push('--demo');
  if (testClock) argv.push('--test-clock');
  if (useDb && usingPostgres()) {
    s.database = createTestDatabase();
    argv.push('--db', s.database.url);
  }
  argv.push(...args);
  s.args = argv;
  s.proc = spawn(bin, argv, {
    cwd: s.dataDir,
    env: childEnv({
      ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=0:abort_on_error=1',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
      ...TEST_SERVER_ENV,
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // a server a failed test forgot must not keep the test process alive: the exit handler
  // above kills it; stop() and waitReady() keep the event loop busy while they wait
  s.proc.unref();
  s.proc.stdout.unref();
  s.proc.stderr.unref();
  live.add(s);
  // scripts/check.sh kills servers left behind by a test process it had to kill (by PID)
  const pidFile = process.env.PFORTE_TEST_PIDDIR && s.proc.pid
    ? path.join(process.env.PFORTE_TEST_PIDDIR, String(s.proc.pid)) : null;
  if (pidFile) fs.writeFileSync(pidFile, `${bin}\n`);
  s.exited = new Promise((resolve) => {
    s.proc.on('exit', (code, signal) => {
      s.exit = { code, signal };
      if (pidFile) fs.rmSync(pidFile, { force: true });
      resolve(s.exit);
    });
    s.proc.on('error', (err) => {
      s.stderrText += `\n[spawn error] ${err.message}\n`;
      s.exit = { code: -1, signal: null };
      resolve(s.exit);
    });
  });
  s.proc.stderr.setEncoding('utf8');
  s.proc.stderr.on('data', (d) => {
    s.stderrText += d;
    if (process.env.PFORTE_TEST_VERBOSE) process.stderr.write(d);
  });
  s.proc.stdout.setEncoding('utf8');
  s.proc.stdout.on('data', (d) => {
    s.stdoutText += d;
  });
  await waitReady(s);
}

async function waitReady(s) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (s.exit)
      throw new Error(`pforte serve exited during start-up (code ${s.exit.code}, signal ` +
        `${s.exit.signal}); args: ${s.args.join(' ')}\nstderr:\n${s.tail()}`);
    try {
      const res = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        s.checkSanitizer();
        return;
      }
      last = `status ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pforte serve not ready within ${START_TIMEOUT_MS} ms (/healthz: ${last}); ` +
    `stderr:\n${s.tail()}`);
}

/**
 * Registers node:test hooks in the current describe(): starts a server before its tests,
 * fails the running test on a sanitizer report or a dead server, stops it afterwards (also
 * on failure). Returns a handle whose .server is set once started.
 * End the describe with `it('stops cleanly', () => handle.stop())` so an unclean exit is
 * counted as a failed test (a failing after() hook is not counted by node's runner).
 */
export function useServer(options = {}) {
  const handle = {
    server: null,
    get url() {
      return handle.server.url;
    },
    fetch: (...a) => handle.server.fetch(...a),
    client: (...a) => handle.server.client(...a),
    stop: () => handle.server.stop(),
  };
  before(async () => {
    handle.server = await startServer(options);
  });
  afterEach(() => {
    if (!handle.server) return;
    handle.server.checkSanitizer();
    handle.server.checkAlive();
  });
  after(async () => {
    if (handle.server) await handle.server.stop();
  });
  return handle;
}

// ---- HTTP helpers -----------------------------------------------------------------------

/** Decodes the HTML entities a template engine emits. */
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/gi, (m, e) => {
    const l = e.toLowerCase();
    if (l[0] === '#')
      return String.fromCodePoint(l[1] === 'x' ? parseInt(l.slice(2), 16) : parseInt(l.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[l];
  });
}

/** Attributes of one start tag's text ("<input a=b ...>") as an object (names lowercased). */
export function parseAttributes(tag) {
  const attrs = {};
  const body = tag.replace(/^<\s*[a-z0-9-]+/i, '').replace(/\/?>$/, '');
  const re = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  let m;
  while ((m = re.exec(body))) attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  return attrs;
}

/** Every start tag named `name` in html: [{tag, attrs, index}]. */
export function findTags(html, name) {
  const out = [];
  const re = new RegExp(`<${name}(?=[\\s/>])[^>]*>`, 'gi');
  let m;
  while ((m = re.exec(html))) out.push({ tag: m[0], attrs: parseAttributes(m[0]), index: m.index });
  return out;
}

/** Start tags (any name) whose class attribute holds cls: [{name, attrs, index}]. */
export function findByClass(html, cls) {
  const out = [];
  const re = /<([a-z][a-z0-9-]*)(?=[\s/>])[^>]*>/gi;
  let m;
  while ((m = re.exec(html))) {
    const attrs = parseAttributes(m[0]);
    if ((attrs.class || '').split(/\s+/).includes(cls))
      out.push({ name: m[1].toLowerCase(), tag: m[0], attrs, index: m.index });
  }
  return out;
}

/** Text content of html (tags dropped, entities decoded, whitespace collapsed). */
export function textOf(html) {
  return decodeEntities(html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** Texts of every <hN> element in html (N = 1..6 or a given level). */
export function headings(html, level = '[1-6]') {
  const re = new RegExp(`<h(${level})(?=[\\s>])[^>]*>([\\s\\S]*?)</h\\1>`, 'gi');
  const out = [];
  let m;
  while ((m = re.exec(html))) out.push(textOf(m[2]));
  return out;
}

/**
 * Fields of the forms in html: [{action, method, fields: {name: value}}]; fields are the
 * inputs (hidden ones included), selects' selected options and textareas.
 */
export function parseForms(html) {
  const forms = [];
  const re = /<form(?=[\s>])[^>]*>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const attrs = parseAttributes(m[0].slice(0, m[0].indexOf('>') + 1));
    const inner = m[1];
    const fields = {};
    for (const { attrs: a } of findTags(inner, 'input')) {
      if (!a.name) continue;
      const type = (a.type || 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      if (type === 'submit' || type === 'button' || type === 'file') continue;
      fields[a.name] = a.value ?? '';
    }
    for (const t of inner.matchAll(/<textarea(?=[\s>])[^>]*>([\s\S]*?)<\/textarea>/gi)) {
      const a = parseAttributes(t[0].slice(0, t[0].indexOf('>') + 1));
      if (a.name) fields[a.name] = decodeEntities(t[1]);
    }
    for (const s of inner.matchAll(/<select(?=[\s>])[^>]*>([\s\S]*?)<\/select>/gi)) {
      const a = parseAttributes(s[0].slice(0, s[0].indexOf('>') + 1));
      if (!a.name) continue;
      const opts = findTags(s[1], 'option');
      const sel = opts.find((o) => 'selected' in o.attrs) || opts[0];
      if (sel) fields[a.name] = sel.attrs.value ?? '';
    }
    forms.push({ action: attrs.action ?? '', method: (attrs.method || 'get').toLowerCase(),
      attrs, fields });
  }
  return forms;
}

/** Value of the hidden (or any) input named `name` in html, or undefined. */
export function hiddenValue(html, name) {
  for (const { attrs } of findTags(html, 'input')) if (attrs.name === name) return attrs.value ?? '';
  return undefined;
}

/**
 * A tiny browser: keeps cookies (by name; Max-Age=0 or a past Expires deletes), sends Origin
 * on unsafe methods, reads bodies, optionally follows redirects (keeping cookies on each hop).
 * Every call resolves to {status, headers, text, url, location, res}.
 */
export class Client {
  constructor(baseUrl, { headers = {} } = {}) {
    this.baseUrl = baseUrl;
    this.headers = headers;
    this.cookies = new Map(); // name -> {value, attrs}
    this.last = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v.value}`).join('; ');
  }

  cookie(name) {
    return this.cookies.get(name)?.value;
  }

  storeCookies(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrParts] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attrs = {};
      for (const a of attrParts) {
        const i = a.indexOf('=');
        const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
        attrs[k] = i < 0 ? true : a.slice(i + 1).trim();
      }
      const expired = (attrs['max-age'] !== undefined && Number(attrs['max-age']) <= 0) ||
        (attrs.expires && Date.parse(attrs.expires) < Date.now());
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, { value, attrs, raw: line });
    }
  }

  /**
   * method, path (or absolute URL on the same server); opts: form (object or
   * URLSearchParams -> urlencoded), body, headers, follow (follow redirects), origin
   * (false to omit the Origin header, or a string).
   */
  async request(method, p, opts = {}) {
    let url = new URL(p, this.baseUrl).toString();
    let m = method.toUpperCase();
    let body = opts.body;
    const headers = { ...this.headers, ...(opts.headers || {}) };
    if (opts.form) {
      body = opts.form instanceof URLSearchParams ? opts.form.toString()
        : new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    for (let hop = 0; hop < 10; hop++) {
      const h = { ...headers };
      const ck = this.cookieHeader();
      if (ck) h.cookie = ck;
      if (!['GET', 'HEAD'].includes(m) && opts.origin !== false && !h.origin)
        h.origin = typeof opts.origin === 'string' ? opts.origin : new URL(this.baseUrl).origin;
      const res = await fetch(url, { method: m, headers: h, body, redirect: 'manual' });
      this.storeCookies(res);
      const text = m === 'HEAD' ? '' : await res.text();
      const location = res.headers.get('location');
      const out = { status: res.status, headers: res.headers, text, url, location, res };
      this.last = out;
      if (opts.follow && location && [301, 302, 303, 307, 308].includes(res.status)) {
        url = new URL(location, url).toString();
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && m === 'POST')) {
          m = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        continue;
      }
      return out;
    }
    throw new Error(`too many redirects from ${p}`);
  }

  get(p, opts) {
    return this.request('GET', p, opts);
  }

  post(p, form, opts = {}) {
    return this.request('POST', p, { ...opts, form });
  }

  /**
   * GETs the page at pagePath, takes the form (the first, or the first whose action
   * contains `action`), fills in `values` and posts it (hidden fields such as the CSRF
   * token included). Returns the POST's response.
   */
  async submitForm(pagePath, values = {}, { action, follow = false } = {}) {
    const page = await this.get(pagePath, { follow: true });
    const forms = parseForms(page.text);
    const form = action === undefined ? forms.find((f) => f.method === 'post') || forms[0]
      : forms.find((f) => f.action.includes(action));
    if (!form) throw new Error(`no form${action ? ` with action ${action}` : ''} on ${pagePath}`);
    const target = form.action || page.url;
    return this.post(new URL(target, page.url).toString(), { ...form.fields, ...values }, { follow });
  }
}

/**
 * Sends raw bytes over a loopback socket and collects whatever comes back until the server
 * closes or timeoutMs passes. Write errors (the server answering early and closing) are
 * ignored. Resolves to {status, headers (lowercased names), head, body, raw}.
 */
export function rawRequest(port, data, { timeoutMs = 10000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect({ port, host });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(parseRawResponse(Buffer.concat(chunks)));
    };
    const timer = setTimeout(finish, timeoutMs);
    sock.on('connect', () => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
      sock.write(buf, () => {});
    });
    sock.on('data', (d) => {
      chunks.push(d);
      const r = parseRawResponse(Buffer.concat(chunks));
      if (r.complete) finish();
    });
    sock.on('error', (e) => {
      if (chunks.length || ['ECONNRESET', 'EPIPE'].includes(e.code)) finish();
      else if (!done) {
        done = true;
        clearTimeout(timer);
        reject(e);
      }
    });
    sock.on('close', finish);
  });
}

/** Parses an HTTP/1.x response head (+ Content-Length body) from raw bytes. */
export function parseRawResponse(raw) {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const out = { status: 0, headers: {}, head: '', body: '', raw: text, complete: false };
  if (end < 0) return out;
  out.head = text.slice(0, end);
  const [statusLine, ...lines] = out.head.split('\r\n');
  out.status = Number((statusLine.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) out.headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  out.body = text.slice(end + 4);
  const len = out.headers['content-length'];
  if (len !== undefined) out.complete = Buffer.byteLength(out.body, 'latin1') >= Number(len);
  return out;
}
