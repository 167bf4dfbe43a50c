// The admin pages in Chromium: every page at phone and desktop width in German and English
// without console errors, CSP violations or failed requests (screenshots in
// tests/e2e/screenshots/admin-*.png to look at), and the request-type order changed with the
// plain up/down buttons (no JavaScript needed).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './lib/browser.mjs';
import { addUser, PASSWORD, sql } from '../http/lib/fixtures.mjs';

async function logIn(page, email) {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.fill('#password', PASSWORD);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

describe('admin pages in the browser', () => {
  const b = useBrowser();

  it('renders every admin page narrow and wide, in German and English, without problems', async () => {
    addUser(b.server, 'maria.admin@beleglicht.example', 'Maria Admin', 'admin');
    addUser(b.server, 'erik.admin@beleglicht.example', 'Erik Admin', 'admin');
    sql(b.server, "UPDATE users SET lang = 'en' WHERE email = 'erik.admin@beleglicht.example'");
    const mailId = sql(b.server, "INSERT INTO outbox (recipient, subject, state, attempts, next_attempt_at, " +
      "last_error, created_at) VALUES ('kaputt@example.com', 'Ihre Anfrage SUP-3', " +
      "'failed', 9, 0, 'smtp: 550 5.1.1 mailbox unavailable', 1764460000) RETURNING id");
    sql(b.server, `INSERT INTO outbox_bodies (outbox_id, message) VALUES (${mailId}, 'x')`);
    const typeId = sql(b.server, 'SELECT id FROM request_types ORDER BY position LIMIT 1');
    const fieldId = sql(b.server, `SELECT id FROM request_fields WHERE type_id = ${typeId} ORDER BY position DESC LIMIT 1`);
    const userId = sql(b.server, "SELECT id FROM users WHERE email = 'anna.schmidt@muster-handel.example'");
    const orgId = sql(b.server, 'SELECT id FROM organizations LIMIT 1');
    const pages = {
      overview: '/desk/admin', types: '/desk/admin/types', type: `/desk/admin/types/${typeId}`,
      preview: `/desk/admin/types/${typeId}/preview`, field: `/desk/admin/fields/${fieldId}`,
      users: '/desk/admin/users', user: `/desk/admin/users/${userId}`, orgs: '/desk/admin/orgs',
      org: `/desk/admin/orgs/${orgId}`, settings: '/desk/admin/settings',
      outbox: '/desk/admin/outbox', audit: '/desk/admin/audit',
    };
    for (const [width, lang] of [[390, 'de'], [1280, 'de'], [390, 'en'], [1280, 'en']]) {
      const page = await b.newPage({ width, locale: lang === 'en' ? 'en-US' : 'de-DE' });
      await logIn(page, lang === 'en' ? 'erik.admin@beleglicht.example' : 'maria.admin@beleglicht.example');
      for (const [name, url] of Object.entries(pages)) {
        const res = await page.goto(url);
        assert.equal(res.status(), 200, `${url} (${lang}, ${width})`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        // nothing sticks out sideways on a phone
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${url} is ${overflow}px too wide at ${width}`);
        await b.screenshot(page, `admin-${name}-${width}-${lang}`);
      }
      assert.deepEqual(page.problems, [], 'no console errors, CSP violations or failed requests');
    }
  });

  it('moves a request type with the plain buttons and the start page follows', async () => {
    const page = await b.newPage();
    await logIn(page, 'maria.admin@beleglicht.example');
    await page.goto('/desk/admin/types');
    const keys = () => page.locator('.admin-type').evaluateAll((els) => els.map((e) => e.dataset.key));
    const before = await keys();
    await page.locator(`.admin-type[data-key="${before[0]}"] form:has(input[value=down]) button`).click();
    await page.waitForURL('**/desk/admin/types');
    const after = await keys();
    assert.deepEqual(after.slice(0, 2), [before[1], before[0]]);
    await page.waitForTimeout(1100); // every worker's catalog within a second
    await page.goto('/');
    const cards = await page.locator('a[href^="/new/"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    assert.deepEqual(cards.slice(0, 2), [`/new/${before[1]}`, `/new/${before[0]}`]);
    assert.deepEqual(page.problems, []);
  });
});
