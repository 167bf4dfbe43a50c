// requests_create (browser): the tutorial's "Anfrage erstellen" and "Bestehende Anfragen
// verwalten" in Chromium - start page, choose the type card, log in on the way, fill the form
// ("Senden"), see the confirmation on the request's page; a form with mistakes comes back
// with the messages and what was typed; then "Anfragen" top right, the overview with its
// coloured statuses, a filter and the next page - in German and English, at 1280 and 390 px,
// light and dark, with screenshots (tests/e2e/screenshots/requests-*.png).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBrowser } from './lib/browser.mjs';
import { TEST_SERVER_ENV, runPforte } from '../http/lib/server.mjs';

const PASSWORD = 'Kaffee Fahrrad Wolke Tisch Lampe';

const TEXT = {
  de: {
    locale: 'de-DE', cardName: 'Technisches Problem', next: 'Weiter', login: 'Anmelden',
    summary: 'Zusammenfassung', description: 'Beschreibung', product: 'Produkt',
    urgency: 'Dringlichkeit', send: 'Senden', requests: 'Anfragen',
    sent: /Ihre Anfrage (SUP-\d+) wurde gesendet/, check: 'Bitte prüfen Sie Ihre Eingaben',
    fill: 'Bitte füllen Sie dieses Feld aus.', again: 'Bitte hängen Sie diese Dateien erneut an',
    statuses: ['Offen', 'In Bearbeitung', 'Wartet auf Kunde', 'Wartet auf Support', 'Gelöst', 'Geschlossen'],
    apply: 'Anwenden', nextPage: 'Nächste Seite', status: 'Status', closedOption: 'Gelöst oder geschlossen',
    summaryText: 'Fehler bei der Übernahme von Ausgangsbelegen',
  },
  en: {
    locale: 'en-US', cardName: 'Technical problem', next: 'Next', login: 'Log in',
    summary: 'Summary', description: 'Description', product: 'Product',
    urgency: 'Urgency', send: 'Send', requests: 'Requests',
    sent: /Your request (SUP-\d+) has been sent/, check: 'Please check your entries',
    fill: 'Please fill in this field.', again: 'Please attach these files again',
    statuses: ['Open', 'In progress', 'Waiting for customer', 'Waiting for support', 'Resolved', 'Closed'],
    apply: 'Apply', nextPage: 'Next page', status: 'Status', closedOption: 'Resolved or closed',
    summaryText: 'Error when transferring outgoing documents',
  },
};

function addUser(server, email, name, lang) {
  const args = ['admin', 'user', 'add', '--email', email, '--name', name, '--role', 'customer',
    '--data', server.dataDir];
  if (server.database) args.push('--db', server.database.url);
  const r = runPforte(args, { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
  assert.equal(r.status, 0, r.stderr);
  sql(server, `UPDATE users SET lang = '${lang}' WHERE email = '${email}'`);
}

function sql(server, statement) {
  const r = server.database
    ? spawnSync('psql', [server.database.url, '-v', 'ON_ERROR_STOP=1', '-Atqc', statement], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 10000', path.join(server.dataDir, 'pforte.db'), statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** No console errors, page errors or failed requests - but the form's 422 we provoked. */
function assertNoProblems(page, expected422 = null) {
  const problems = page.problems.filter((p) => !(expected422 && p === `422 ${new URL(expected422, page.url()).href}`));
  assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
}

/** Logs in on the login page the browser is on (step 1 address, step 2 password). */
async function logInHere(page, t, email) {
  await page.fill('#email', email);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.next }).click()]);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.login }).click()]);
}

describe('creating and listing requests in the browser', () => {
  const b = useBrowser();
  const file = path.join(os.tmpdir(), `pforte-e2e-protokoll-${process.pid}.txt`);

  before(() => {
    fs.writeFileSync(file, 'Protokoll: Export abgebrochen\n');
    addUser(b.server, 'lena@example.com', 'Lena Lang', 'de');
    addUser(b.server, 'liam@example.com', 'Liam Long', 'en');
  });

  for (const [lang, email] of [['de', 'lena@example.com'], ['en', 'liam@example.com']]) {
    const t = TEXT[lang];

    it(`${lang}: start page -> type card -> log in -> fill -> "${t.send}" -> confirmation`, async () => {
      const page = await b.newPage({ width: 1280, locale: t.locale });
      await page.goto('/');
      await page.getByRole('link', { name: new RegExp(t.cardName) }).click();
      await page.waitForURL(/\/login\?next=%2Fnew%2Fproblem/);
      await logInHere(page, t, email);
      await page.waitForURL(/\/new\/problem$/);
      assert.equal((await page.locator('h1').innerText()).trim(), t.cardName);
      await b.screenshot(page, `requests-new-${lang}-1280-light`);

      // first attempt: summary forgotten, a file attached
      await page.getByLabel(t.description).fill('Seit dem Update werden Ausgangsbelege nicht übernommen.');
      await page.getByLabel(t.product).selectOption('cloud');
      await page.getByLabel(t.urgency).selectOption('high');
      await page.setInputFiles('#f_files', file);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.send }).click()]);
      const box = page.locator('#form-errors');
      assert.match(await box.innerText(), new RegExp(t.check));
      assert.ok(await box.evaluate((el) => el === document.activeElement), 'the error box has the focus');
      assert.match(await page.locator('#f_summary-error').innerText(), new RegExp(t.fill));
      assert.equal(await page.getByLabel(t.description).inputValue(),
        'Seit dem Update werden Ausgangsbelege nicht übernommen.', 'what was typed is still there');
      assert.equal(await page.getByLabel(t.product).inputValue(), 'cloud');
      assert.match(await page.locator('.attach-again').innerText(), new RegExp(`${t.again}[\\s\\S]*pforte-e2e-protokoll`));
      await page.locator('#form-errors a[href="#f_summary"]').click();
      assert.ok(await page.locator('#f_summary').evaluate((el) => el === document.activeElement),
        'the link in the summary jumps to the field');
      await b.screenshot(page, `requests-new-errors-${lang}-1280-light`);

      await page.getByLabel(t.summary).fill(t.summaryText);
      await page.setInputFiles('#f_files', file);
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.send }).click()]);
      assert.match(page.url(), /\/requests\/SUP-\d+\?created=1$/);
      const main = await page.locator('main').innerText();
      assert.match(main, t.sent);
      assert.match(main, new RegExp(t.summaryText));
      await b.screenshot(page, `requests-created-${lang}-1280-light`);
      assertNoProblems(page, '/new/problem');
    });

    it(`${lang}: "${t.requests}" top right -> the overview with statuses, a filter, the next page`, async () => {
      // more requests to page through, in every status
      const number = Number(sql(b.server, `SELECT max(number) FROM requests r JOIN users u ON u.id = r.reporter_id WHERE u.email = '${email}'`));
      const statuses = ['open', 'in_progress', 'waiting_customer', 'waiting_support', 'resolved', 'closed'];
      const userId = sql(b.server, `SELECT id FROM users WHERE email = '${email}'`);
      const typeId = sql(b.server, "SELECT id FROM request_types WHERE key = 'question'");
      for (let i = 0; i < 27; i++) {
        const n = 1000 + number * 100 + i;
        sql(b.server, `INSERT INTO requests (number, type_id, reporter_id, summary, description, status, reply_token, created_at, updated_at)
          VALUES (${n}, ${typeId}, ${userId}, 'Frage ${i + 1} zum Mahnwesen', '', '${statuses[i % 6]}', 'r${n}', ${1735689600 + i * 3600}, ${1735689600 + i * 3600})`);
      }
      // the access rows store_request_insert would write (migration 014); the list columns
      // come from the trigger for rows inserted without them
      sql(b.server, `INSERT INTO request_access (request_id, user_id, reported, updated_at, created_at)
        SELECT id, reporter_id, 1, updated_at, created_at FROM requests
        WHERE reporter_id = ${userId} AND number BETWEEN ${1000 + number * 100} AND ${1000 + number * 100 + 26}`);
      const page = await b.newPage({ width: 1280, locale: t.locale });
      await page.goto('/login');
      await logInHere(page, t, email);
      await page.getByRole('link', { name: t.requests }).first().click();
      await page.waitForURL(/\/requests$/);
      assert.equal((await page.locator('h1').innerText()).trim(), t.requests);
      assert.equal(await page.locator('.request-item').count(), 25);
      const labels = await page.locator('.request-item .status-badge').allInnerTexts();
      for (const s of t.statuses) assert.ok(labels.includes(s), `status ${s} shown`);
      // statuses differ in colour
      const colours = new Set(await page.locator('.request-item .status-badge').evaluateAll(
        (els) => els.map((e) => getComputedStyle(e).backgroundColor)));
      assert.equal(colours.size, 6, 'six statuses, six colours');
      assert.doesNotMatch(await page.locator('time[data-local-time]').first().innerText(), /UTC/,
        'app.js shows the time in the browser\'s zone');
      await b.screenshot(page, `requests-list-${lang}-1280-light`);

      await page.getByRole('link', { name: t.nextPage }).click();
      await page.waitForURL(/after=/);
      assert.equal(await page.locator('.request-item').count(), 28 - 25);

      await page.goto('/requests');
      await page.getByLabel(t.status, { exact: true }).selectOption('closed');
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.apply }).click()]);
      assert.match(page.url(), /status=closed/);
      const closed = await page.locator('.request-item .status-badge').allInnerTexts();
      assert.ok(closed.length > 0 && closed.every((s) => s === t.statuses[4] || s === t.statuses[5]), closed.join());
      await b.screenshot(page, `requests-list-filtered-${lang}-1280-light`);

      await page.locator('.request-link').first().click();
      await page.waitForURL(/\/requests\/SUP-\d+$/);
      assertNoProblems(page);
    });

    it(`${lang}: phone width and dark mode look right`, async () => {
      for (const [width, scheme] of [[390, 'light'], [360, 'dark'], [1280, 'dark']]) {
        const page = await b.newPage({ width, height: 800, colorScheme: scheme, locale: t.locale });
        await page.goto('/login');
        await logInHere(page, t, email);
        for (const [url, name] of [['/requests', 'list'], ['/new/licence', 'new']]) {
          await page.goto(url);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
          assert.equal(overflow, false, `${url} at ${width}px: no sideways scrolling`);
          await b.screenshot(page, `requests-${name}-${lang}-${width}-${scheme}`);
        }
        assertNoProblems(page);
      }
    });
  }

  it('keyboard only: Tab to "Senden" and create a request', async () => {
    const page = await b.newPage({ width: 1280 });
    await page.goto('/login');
    await logInHere(page, TEXT.de, 'lena@example.com');
    await page.goto('/new/question');
    await page.locator('#f_summary').focus();
    await page.keyboard.type('Wie drucke ich eine Mahnung?');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Im Menü finde ich es nicht.');
    for (let i = 0; i < 30; i++) {
      const label = await page.evaluate(() => document.activeElement?.textContent?.trim());
      if (label === 'Senden') break;
      await page.keyboard.press('Tab');
    }
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/requests\/SUP-\d+\?created=1$/);
    assertNoProblems(page);
  });
});
