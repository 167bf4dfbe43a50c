// The desk in a real browser: a customer creates a request, an agent opens it in the desk,
// inserts a canned response (JavaScript path), writes an internal note and a public reply that
// sets the status; the customer sees the reply (not the note) on their request page and gets
// the mail. Screenshots of the desk request page at 390 and 1280 px, German and English, light
// and dark. No console errors, CSP violations or failed requests along the way.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_SERVER_ENV, runPforte } from '../http/lib/server.mjs';
import { useBrowser } from './lib/browser.mjs';

const PASSWORD = 'Kaffee Fahrrad Wolke Tisch Lampe';

function addUser(server, email, name, role = 'customer') {
  const args = ['admin', 'user', 'add', '--email', email, '--name', name, '--role', role,
    '--data', server.dataDir];
  if (server.database) args.push('--db', server.database.url);
  const r = runPforte(args, { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
  assert.equal(r.status, 0, r.stderr);
}

function assertNoProblems(page, allowed = /^$/) {
  assert.deepEqual(page.problems.filter((p) => !allowed.test(p)), [],
    'no console errors, page errors or failed requests');
}

async function logIn(page, email) {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.fill('#password', PASSWORD);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

describe('answering a request in the desk', () => {
  const b = useBrowser();
  let key;

  before(async () => {
    addUser(b.server, 'carla@example.com', 'Carla Kunde');
    addUser(b.server, 'alex@example.com', 'Alex Agent', 'agent');
    addUser(b.server, 'ada@example.com', 'Ada Admin', 'admin');
  });

  it('customer creates, agent answers with a canned response and a note, customer reads it', async () => {
    const customer = await b.newPage({ width: 1280 });
    await logIn(customer, 'carla@example.com');
    await customer.goto('/new/problem');
    await customer.fill('#f_summary', 'Export bricht bei 50 % ab');
    await customer.fill('#f_description', 'Beim **Export** des Journals bricht der Vorgang ab.');
    await customer.selectOption('#f_product', 'cloud');
    await customer.selectOption('#f_urgency', 'high');
    await customer.locator('form.request-form button[type=submit]').click();
    await customer.waitForURL(/\/requests\/SUP-\d+\?created=1/);
    key = new URL(customer.url()).pathname.split('/').pop();
    assertNoProblems(customer);

    const admin = await b.newPage({ width: 1280 });
    await logIn(admin, 'ada@example.com');
    await admin.goto('/desk/admin/canned');
    await admin.fill('#title', 'Logdatei anfordern');
    await admin.fill('#body', 'Hallo {{customer_name}},\n\nbitte senden Sie uns zu {{request_key}} die Logdatei.\n\nViele Grüße\n{{agent_name}}');
    await admin.getByRole('button', { name: 'Anlegen' }).click();
    await admin.waitForURL(/done=created/);
    await b.screenshot(admin, 'desk-canned-de-1280-light');
    assertNoProblems(admin);

    const agent = await b.newPage({ width: 1280 });
    await logIn(agent, 'alex@example.com');
    await agent.goto(`/desk/requests/${key}`);
    assert.equal((await agent.locator('h1').innerText()).trim(), 'Export bricht bei 50 % ab');
    // internal note first: the box turns amber and says customers never see it
    await agent.locator('.dk-mode-note').click();
    assert.ok(await agent.locator('.dk-help-note').isVisible());
    await agent.fill('#body', 'Kundin nutzt noch Version 5.2 - Geheimwort Zebrafink.');
    await agent.getByRole('button', { name: 'Notiz speichern' }).click();
    await agent.waitForURL(/done=note/);
    const noteCard = agent.locator('.tl-internal .tl-comment').last();
    assert.match(await noteCard.innerText(), /Interne Notiz/);
    assert.match(await noteCard.innerText(), /Zebrafink/);
    const noteBg = await noteCard.evaluate((el) => getComputedStyle(el).backgroundColor);
    const replyBg = await agent.locator('.dk-reply').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(noteBg, replyBg, 'a note looks different from the public reply box');

    // public reply with the canned response inserted by JavaScript (no reload)
    await agent.locator('.dk-mode-option').first().click();
    await agent.fill('#body', 'Danke für die Meldung.');
    await agent.locator('#body').evaluate((el) => el.setSelectionRange(el.value.length, el.value.length));
    await agent.selectOption('#canned', { label: 'Logdatei anfordern (DE)' });
    const url = agent.url();
    await agent.getByRole('button', { name: 'Einfügen' }).click();
    assert.equal(agent.url(), url, 'inserted without a page load');
    const text = await agent.locator('#body').inputValue();
    assert.match(text, /^Danke für die Meldung\.\n\nHallo Carla Kunde,/);
    assert.match(text, new RegExp(`zu ${key} die Logdatei`));
    assert.match(text, /Alex Agent$/);
    await agent.selectOption('#set-status', 'waiting_customer');
    await agent.getByRole('button', { name: 'Antwort senden' }).click();
    await agent.waitForURL(/done=reply/);
    assert.match(await agent.locator('.rq-head .status-badge').innerText(), /Wartet auf Kunde/);
    await agent.locator('form[action$="/assign"] select').selectOption({ label: 'Alex Agent' });
    // a draft survives the other forms' page loads (JavaScript keeps it per request)
    await agent.fill('#body', 'Entwurf, noch nicht gesendet');
    await agent.locator('form[action$="/assign"]:has(select) button').click();
    await agent.waitForURL(/done=assigned/);
    assert.equal(await agent.locator('#body').inputValue(), 'Entwurf, noch nicht gesendet');
    await agent.fill('#body', '');
    await agent.locator('#body').dispatchEvent('input');
    await agent.locator('#priority').selectOption('high');
    await agent.locator('form[action$="/priority"] button').click();
    await agent.waitForURL(/done=priority/);
    assertNoProblems(agent);

    // the customer sees the reply, never the note, and got the mail
    await customer.goto(`/requests/${key}`);
    const page = await customer.locator('main').innerText();
    assert.match(page, /bitte senden Sie uns zu SUP-\d+ die Logdatei/);
    assert.match(page, /Wartet auf Kunde/);
    assert.doesNotMatch(page, /Zebrafink|Interne Notiz|Priorität/);
    const mail = await b.server.waitForMail({ to: 'carla@example.com', subject: key }, {
      timeoutMs: 10000, after: 0 });
    assert.ok(mail);
    const mails = b.server.mail().filter((m) => /carla@example\.com/.test(m.header('to')) &&
      /bitte senden Sie uns zu/.test(m.text));
    assert.equal(mails.length, 1, 'one mail with the reply');
    assert.doesNotMatch(mails[0].text + mails[0].html, /Zebrafink/);
    assertNoProblems(customer);
  });

  it('the customer answers the mail; `pforte mail-in` files it and the agent sees it', async () => {
    // the reply mail Carla got, answered from her mail program: quoting the mail below
    const mail = b.server.mail().find((m) => /carla@example\.com/.test(m.header('to')) &&
      /bitte senden Sie uns zu/.test(m.text));
    const replyTo = mail.header('reply-to');
    assert.match(replyTo, /support\+[A-Za-z0-9_-]+@/, 'the reply address carries the request token');
    const to = (replyTo.match(/<([^>]+)>/) || [null, replyTo])[1];
    const messageId = mail.header('message-id');
    const raw = [
      'From: Carla Kunde <carla@example.com>', `To: ${to}`, `Subject: AW: ${mail.subject}`,
      'Message-ID: <e2e-antwort-1@mail.example.com>', `In-Reply-To: ${messageId}`,
      `References: ${messageId}`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '',
      'Hallo Alex,', '', 'die Logdatei habe ich gefunden: der Abbruch kommt immer bei Beleg 4711.', '',
      'Viele Grüße', 'Carla', '', `Am ${new Date().toLocaleDateString('de-DE')} schrieb Support:`,
      '> bitte senden Sie uns die Logdatei', ''].join('\r\n');
    const args = ['mail-in', '--data', b.server.dataDir, '--base-url', b.server.url];
    const filed = runPforte(args, { input: raw, env: TEST_SERVER_ENV });
    assert.equal(filed.status, 0, filed.stderr);

    const agent = await b.newPage({ width: 1280 });
    await logIn(agent, 'alex@example.com');
    await agent.goto(`/desk/requests/${key}`);
    const activity = await agent.locator('main').innerText();
    assert.match(activity, /der Abbruch kommt immer bei Beleg 4711/);
    assert.doesNotMatch(activity, /schrieb Support/, 'the quoted mail is cut');
    assert.match(await agent.locator('.rq-head .status-badge').innerText(), /Wartet auf Support/,
      'a customer reply moves a request waiting for the customer back to support');
    await b.screenshot(agent, 'desk-request-after-mail-reply-de-1280-light');
    assertNoProblems(agent);
    // the same mail fed again (an MTA retry) is filed once
    assert.equal(runPforte(args, { input: raw, env: TEST_SERVER_ENV }).status, 0);
    await agent.reload();
    assert.equal((await agent.locator('main').innerText()).split('Beleg 4711').length - 1, 1);
  });

  it('screenshots of the desk request page: phone and desktop, German and English', async () => {
    for (const [width, scheme, locale] of [[1280, 'light', 'de-DE'], [390, 'light', 'de-DE'],
      [1280, 'dark', 'de-DE'], [1280, 'light', 'en-US'], [390, 'light', 'en-US']]) {
      const p = await b.newPage({ width, colorScheme: scheme, locale });
      await logIn(p, 'alex@example.com');
      const lang = locale === 'en-US' ? 'en' : 'de';
      await p.goto(`/desk/requests/${key}?lang=${lang}`);
      await b.screenshot(p, `desk-request-${lang}-${width}-${scheme}`);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page ${overflow}px wider than the ${width}px window`);
      assertNoProblems(p);
    }
  });

  it('a stale page keeps the typed reply and says what changed (409, message in view)', async () => {
    const alex = await b.newPage({ width: 1280 });
    await logIn(alex, 'alex@example.com');
    await alex.goto(`/desk/requests/${key}?lang=de`);
    const ada = await b.newPage({ width: 1280 });
    await logIn(ada, 'ada@example.com');
    await ada.goto(`/desk/requests/${key}?lang=de`);
    await ada.fill('#body', 'Ada war schneller.');
    await ada.getByRole('button', { name: 'Antwort senden' }).click();
    await ada.waitForURL(/done=reply/);
    await alex.fill('#body', 'Meine lange Antwort.');
    await alex.getByRole('button', { name: 'Antwort senden' }).click();
    await alex.waitForLoadState('load');
    assert.match(await alex.locator('.dk-conflict').innerText(), /Ada Admin hat einen Kommentar geschrieben/);
    assert.equal(await alex.locator('#body').inputValue(), 'Meine lange Antwort.');
    assert.equal(await alex.evaluate(() => document.activeElement.id), 'form-errors');
    await b.screenshot(alex, 'desk-request-conflict-de-1280-light');
    assertNoProblems(alex, /^409 /);
  });
});
