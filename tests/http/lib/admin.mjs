// Helpers of the admin page suites: signed-in admin/agent/customer clients, posting a page's
// form, waiting for a change that other worker threads see within the catalog's second.
import assert from 'node:assert/strict';
import { parseForms, textOf } from './server.mjs';
import { addUser, login, sql } from './fixtures.mjs';

let counter = 0;

/** A new account of role signed in; returns {client, email, id}. lang: 'de' or 'en'. */
export async function signedInAs(server, role, { lang = 'de', email } = {}) {
  counter += 1;
  const address = email || `${role}${counter}-${Date.now()}@example.com`;
  const id = addUser(server, address, `${role[0].toUpperCase()}${role.slice(1)} ${counter}`, role);
  if (lang === 'en') sql(server, `UPDATE users SET lang = 'en' WHERE id = ${id}`);
  const client = await login(server, address);
  return { client, email: address, id };
}

/** The form on pagePath whose action ends with action: {fields, action}. */
export async function formOn(client, pagePath, action) {
  const page = await client.get(pagePath);
  assert.equal(page.status, 200, `GET ${pagePath}: ${page.status}`);
  const form = parseForms(page.text).find((f) => (action ? f.action.endsWith(action) : f.method === 'post'));
  assert.ok(form, `form ${action || ''} on ${pagePath}`);
  return form;
}

/** Posts the form of pagePath (action) with values over its fields; returns the response. */
export async function postForm(client, pagePath, action, values = {}) {
  const form = await formOn(client, pagePath, action);
  return client.post(form.action, { ...form.fields, ...values });
}

/** The CSRF token of any form on pagePath. */
export async function csrfOf(client, pagePath = '/desk/admin') {
  const page = await client.get(pagePath);
  const m = page.text.match(/name="csrf" value="([^"]+)"/);
  assert.ok(m, `csrf on ${pagePath}`);
  return m[1];
}

/** Runs fn until it stops throwing (at most timeoutMs): changes reach every worker thread
 *  within the catalog's refresh time (one second). */
export async function eventually(fn, timeoutMs = 4000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The error summary texts of a page. */
export function errorsOf(html) {
  const m = html.match(/<div class="alert alert-error"[\s\S]*?<\/div>\s*<\/div>/);
  return m ? textOf(m[0]) : '';
}
