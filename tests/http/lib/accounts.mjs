// Helpers the account suites share: registering through the mailed link, the two-step
// login, moving the test clock, and reading messages off the pages.
import assert from 'node:assert/strict';
import { findByClass, parseForms, textOf } from './server.mjs';
import { linksIn } from './mail.mjs';

/** A password the policy accepts. */
export const GOOD = 'Laterne Zitrone Gewitter Kompass';

/** Moves the server's clock and waits until its once-a-second re-read has seen it. */
export async function advance(server, seconds) {
  server.advanceClock(seconds);
  await new Promise((r) => setTimeout(r, 1050 - (Date.now() % 1000)));
}

/** Registers email as the tutorial does (link, mail, name and password); returns the
 *  signed-in client. */
export async function registerUser(srv, email, name, password = GOOD, clientOptions) {
  const c = srv.client(clientOptions);
  const before = srv.server.mail().length;
  const sent = await c.submitForm('/register', { email });
  assert.equal(sent.status, 200, textOf(sent.text).slice(0, 300));
  const mail = await srv.server.waitForMail({ to: email }, { after: before });
  const link = linksIn(mail).find((l) => l.includes('/register/finish?token='))
    .replace(/^https?:\/\/[^/]+/, srv.url); // the base URL may name a host we cannot reach
  const r = await c.submitForm(link, { name, password });
  assert.equal(r.status, 303, `registration of ${email}: ${textOf(r.text).slice(0, 400)}`);
  return c;
}

/** Both login steps; returns the response of step 2. */
export async function login(c, email, password) {
  const step1 = await c.submitForm('/login', { email });
  assert.equal(step1.status, 200);
  const form = parseForms(step1.text).find((f) => f.fields.step === '2');
  assert.ok(form, 'step 2 form');
  return c.post('/login', { ...form.fields, password });
}

/** True when the client's session reaches the profile. */
export async function signedIn(c) {
  return (await c.get('/profile')).status === 200;
}

/** The text of the error box at the top of a form. */
export function errorSummary(html) {
  const box = findByClass(html, 'alert-error')[0];
  return box ? textOf(html.slice(box.index, html.indexOf('</ul>', box.index))) : '';
}

/** The name in the header's profile menu. */
export function userName(html) {
  const el = findByClass(html, 'user-name')[0];
  return el ? textOf(html.slice(el.index, html.indexOf('</span>', el.index))) : '';
}

/** The reasons listed under a rejected password. */
export function passwordReasons(html) {
  const m = html.match(/id="password-error"[^>]*>([\s\S]*?)<\/div>/);
  return m ? [...m[1].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((x) => textOf(x[1])) : [];
}
