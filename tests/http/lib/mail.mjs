// mail: reads the messages a server delivered to its Maildir (DIR/mail/new, one RFC 5322
// file each) and parses just enough MIME for tests: headers (RFC 2047 words decoded),
// text/plain and text/html bodies (quoted-printable and base64 decoded), attachments, links.
import fs from 'node:fs';
import path from 'node:path';

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= and =?UTF-8?Q?...?=). */
export function decodeWords(s) {
  return s
    .replace(/(=\?[^?]+\?[bq]\?[^?]*\?=)\s+(?==\?[^?]+\?[bq]\?)/gi, '$1')
    .replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (m, charset, enc, data) => {
      let bytes;
      if (enc.toLowerCase() === 'b') bytes = Buffer.from(data, 'base64');
      else bytes = qpBytes(data.replace(/_/g, ' '), false);
      return decodeCharset(bytes, charset);
    });
}

function decodeCharset(bytes, charset) {
  try {
    return new TextDecoder(charset.toLowerCase()).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function qpBytes(s, softBreaks = true) {
  if (softBreaks) s = s.replace(/=\r?\n/g, '');
  const out = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out.push(...Buffer.from(s[i], 'latin1'));
    }
  }
  return Buffer.from(out);
}

/** Splits head and body; returns {headers: {name: [values]}, body (latin1 string)}. */
function splitMessage(raw) {
  const m = raw.match(/\r?\n\r?\n/);
  const headText = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = {};
  for (const line of headText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    (headers[name] ||= []).push(line.slice(i + 1).trim());
  }
  return { headers, body };
}

/** "text/plain; charset=utf-8; name=x" -> {type, params}. */
export function parseContentType(v = 'text/plain') {
  const [type, ...rest] = v.split(';');
  const params = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodePart(part) {
  const cte = (part.headers['content-transfer-encoding']?.[0] || '7bit').toLowerCase();
  const ct = parseContentType(part.headers['content-type']?.[0]);
  let bytes;
  if (cte === 'base64') bytes = Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  else if (cte === 'quoted-printable') bytes = qpBytes(part.body);
  else bytes = Buffer.from(part.body, 'latin1');
  return { ct, bytes };
}

/** Walks a (possibly multipart) entity; returns its leaf parts. */
function leaves(entity) {
  const ct = parseContentType(entity.headers['content-type']?.[0]);
  if (!ct.type.startsWith('multipart/') || !ct.params.boundary) return [entity];
  const b = ct.params.boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pieces = entity.body.split(new RegExp(`\\r?\\n?--${b}(?:--)?[ \\t]*\\r?\\n?`));
  // pieces[0] is the preamble, the last the epilogue
  return pieces.slice(1, -1).flatMap((p) => leaves(splitMessage(p)));
}

/**
 * Parses one RFC 5322 message (latin1 string of its bytes):
 * {headers, subject, from, to, text, html, attachments: [{filename, type, bytes}], raw}.
 */
export function parseMessage(raw) {
  const top = splitMessage(raw);
  const msg = {
    raw,
    headers: top.headers,
    header: (name) => top.headers[name.toLowerCase()]?.map(decodeWords)[0],
    subject: decodeWords(top.headers.subject?.[0] || ''),
    from: decodeWords(top.headers.from?.[0] || ''),
    to: decodeWords(top.headers.to?.[0] || ''),
    text: '',
    html: '',
    attachments: [],
  };
  for (const part of leaves(top)) {
    const { ct, bytes } = decodePart(part);
    const disp = part.headers['content-disposition']?.[0] || '';
    const filename = decodeWords(parseContentType(disp).params.filename || ct.params.name || '');
    const isAttachment = /^attachment/i.test(disp) || (filename && !ct.type.startsWith('text/'));
    const charset = ct.params.charset || 'utf-8';
    if (!isAttachment && ct.type === 'text/plain' && !msg.text) msg.text = decodeCharset(bytes, charset);
    else if (!isAttachment && ct.type === 'text/html' && !msg.html) msg.html = decodeCharset(bytes, charset);
    else msg.attachments.push({ filename, type: ct.type, bytes });
  }
  return msg;
}

/** URLs (http/https) in a message's text part, in order. */
export function linksIn(msg) {
  return [...(msg.text || msg.html).matchAll(/https?:\/\/[^\s<>"')\]]+/g)].map((m) => m[0]);
}

/** Every message in maildir/new (and cur), oldest first, parsed, with .file set. */
export function readMaildir(maildir) {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(maildir, sub);
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const file = path.join(dir, name);
      const st = fs.statSync(file);
      out.push({ file, mtime: st.mtimeMs, name });
    }
  }
  out.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
  return out.map(({ file }) => {
    const msg = parseMessage(fs.readFileSync(file).toString('latin1'));
    msg.file = file;
    return msg;
  });
}

function matcher(pred) {
  if (typeof pred === 'function') return pred;
  if (!pred) return () => true;
  return (m) => (pred.to === undefined || m.to.toLowerCase().includes(pred.to.toLowerCase())) &&
    (pred.subject === undefined || (pred.subject instanceof RegExp ? pred.subject.test(m.subject)
      : m.subject.includes(pred.subject)));
}

/**
 * Polls the Maildir until a message matching pred arrives (pred: function or {to, subject});
 * skips the first `after` messages when given. Throws after timeoutMs with what arrived.
 */
export async function waitForMail(maildir, pred, { timeoutMs = 10000, after = 0, alive } = {}) {
  const match = matcher(pred);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const msgs = readMaildir(maildir).slice(after);
    const hit = msgs.find(match);
    if (hit) return hit;
    if (alive) alive();
    if (Date.now() > deadline)
      throw new Error(`no matching mail within ${timeoutMs} ms; got: ` +
        JSON.stringify(msgs.map((m) => ({ to: m.to, subject: m.subject }))));
    await new Promise((r) => setTimeout(r, 100));
  }
}
