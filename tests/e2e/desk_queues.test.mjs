// The desk's queues in a real browser: an agent logs in, sees the queue menu with live counts,
// switches queue, filters by priority with the form, opens page 2 by its link and comes back -
// with screenshots at phone and desktop widths, German and English, light and dark. No console
// errors, no CSP violations, no failed requests along the way.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './lib/browser.mjs';
import { addUser, PASSWORD, sql } from '../http/lib/fixtures.mjs';

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], 'no console errors, page errors or failed requests');
}

async function logIn(page, email) {
  await page.goto('/login');
  await page.fill('#email', email);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.fill('#password', PASSWORD);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

const count = (page, queue) => page.locator(`.queue-link[data-queue="${queue}"] .queue-count`).innerText();

describe('the desk queues in the browser', () => {
  const b = useBrowser();

  before(async () => {
    const s = b.server;
    addUser(s, 'kim@example.com', 'Kim Kundin');
    addUser(s, 'alex@example.com', 'Alex Agent', 'agent');
    const page = await b.newPage();
    await logIn(page, 'kim@example.com');
    for (let i = 1; i <= 32; i++) {
      await page.goto('/new/question');
      await page.fill('#f_summary', `Browserfrage ${String(i).padStart(2, '0')}`);
      await page.fill('#f_description', 'Wie exportiere ich das Journal?');
      await page.locator('form.request-form button[type=submit]').click();
      await page.waitForURL(/\/requests\/SUP-\d+\?created=1/);
    }
    await page.context().close();
    const agent = sql(s, "SELECT id FROM users WHERE email = 'alex@example.com'");
    const now = Math.floor(Date.now() / 1000);
    sql(s, `UPDATE requests SET updated_at = ${now} - (40 - number) * 60`);
    sql(s, `UPDATE requests SET assignee_id = ${agent}, status = 'in_progress', priority = 'high' WHERE number <= 3`);
    sql(s, `UPDATE requests SET status = 'waiting_customer', priority = 'critical' WHERE number IN (4, 5)`);
  });

  it('shows the queues with counts, filters, and opens page 2', async () => {
    const page = await b.newPage();
    await logIn(page, 'alex@example.com');
    await page.goto('/desk');
    assert.equal(await count(page, 'open'), '32');
    assert.equal(await count(page, 'unassigned'), '29');
    assert.equal(await count(page, 'mine'), '3');
    assert.equal(await count(page, 'waiting-customer'), '2');
    assert.equal(await page.locator('.queue-row').count(), 25);
    await b.screenshot(page, 'desk-queues-de-1280-light');

    // another queue from the menu
    await page.locator('.queue-link[data-queue="mine"]').click();
    await page.waitForURL(/queue=mine/);
    assert.equal(await page.locator('.queue-row').count(), 3);
    assert.match(await page.locator('h1').innerText(), /^Mir zugewiesen\s+3 Anfragen$/);

    // the filter form: critical requests of all open ones
    await page.locator('.queue-link[data-queue="open"]').click();
    await page.selectOption('#priority', 'critical');
    await page.locator('form.queue-filters button[type=submit]').click();
    await page.waitForURL(/priority=critical/);
    assert.equal(await page.locator('.queue-row').count(), 2);
    assert.deepEqual(await page.locator('.queue-row .priority-badge').allInnerTexts(), ['Kritisch', 'Kritisch']);

    // back to all open, page 2 by its link, then back
    await page.locator('form.queue-filters').getByRole('link', { name: 'Filter zurücksetzen' }).click();
    await page.waitForURL((u) => !u.search.includes('priority'));
    const firstPage = await page.locator('.queue-row .q-summary').allInnerTexts();
    await page.locator('a[rel=next]').click();
    await page.waitForURL(/after=/);
    const secondPage = await page.locator('.queue-row .q-summary').allInnerTexts();
    assert.equal(secondPage.length, 7);
    assert.equal(new Set([...firstPage, ...secondPage]).size, 32, 'every request once over both pages');
    await page.locator('a[rel=prev]').click();
    await page.waitForURL(/before=|\/desk$/);
    assert.deepEqual(await page.locator('.queue-row .q-summary').allInnerTexts(), firstPage);

    // keyboard: the rows' links are reachable and open the agent's request view
    const link = page.locator('.queue-row .q-link').first();
    await link.focus();
    assert.match(await link.getAttribute('href'), /^\/desk\/requests\/SUP-\d+$/);
    assertNoProblems(page);
  });

  it('works on a phone, in English and dark', async () => {
    const page = await b.newPage({ width: 390, height: 844, colorScheme: 'dark', locale: 'en-US' });
    await logIn(page, 'alex@example.com');
    await page.goto('/desk?queue=waiting-customer&lang=en');
    assert.equal(await page.locator('.queue-row').count(), 2);
    // rows are cards: the table head is hidden, the labels show
    assert.equal(await page.locator('.queue-table thead').isVisible(), false);
    assert.equal(await page.locator('.queue-row .q-label').first().isVisible(), true);
    // the queue menu scrolls sideways and shows the current queue
    const current = page.locator('.queue-link[aria-current="page"]');
    assert.ok(await current.isVisible());
    const box = await current.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, 'current queue in view');
    await b.screenshot(page, 'desk-queues-en-390-dark');
    await page.goto('/desk?lang=de');
    await b.screenshot(page, 'desk-queues-de-390-dark');
    assertNoProblems(page);
  });
});
