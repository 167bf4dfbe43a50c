// "Bestehende Anfragen verwalten" in a real browser: a customer opens "Anfragen", clicks a
// request, reads its details, writes a comment with a screenshot, edits a field, marks it
// resolved and reopens it - in German and (after switching the profile) in English - with
// screenshots at phone and desktop widths, light and dark. No console errors, no CSP
// violations, no failed requests along the way.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, TEST_SERVER_ENV, runPforte } from '../http/lib/server.mjs';
import { useBrowser } from './lib/browser.mjs';

const PASSWORD = 'Kaffee Fahrrad Wolke Tisch Lampe';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082', 'hex');

function addUser(server, email, name) {
  const args = ['admin', 'user', 'add', '--email', email, '--name', name, '--role', 'customer',
    '--data', server.dataDir];
  if (server.database) args.push('--db', server.database.url);
  const r = runPforte(args, { input: `${PASSWORD}\n`, env: TEST_SERVER_ENV });
  assert.equal(r.status, 0, r.stderr);
}

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

/** A request made through the create form, so the list has something to click. */
async function createRequest(page, summary) {
  await page.goto('/new/problem');
  await page.fill('#f_summary', summary);
  await page.fill('#f_description', 'Beim **Export** des Journals bricht der Vorgang ab.\n\n1. Journal öffnen\n2. Exportieren');
  await page.selectOption('#f_product', 'cloud');
  await page.selectOption('#f_urgency', 'high');
  await page.fill('#f_version', '5.2');
  await page.locator('form.request-form button[type=submit]').click();
  await page.waitForURL(/\/requests\/SUP-\d+\?created=1/);
  return new URL(page.url()).pathname.split('/').pop();
}

describe('managing existing requests in the browser', () => {
  const b = useBrowser();
  const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pforte-e2e-')), 'screen.png');

  before(() => {
    addUser(b.server, 'carla@example.com', 'Carla Kunde');
    addUser(b.server, 'erik@example.com', 'Erik English');
    // a real picture when the start-page test left one, so the thumbnail looks like one
    const picture = path.join(REPO_ROOT, 'tests/e2e/screenshots/start-de-1280-light.png');
    fs.writeFileSync(shot, fs.existsSync(picture) && fs.statSync(picture).size < 5e6 ? fs.readFileSync(picture) : PNG);
  });

  it('German: open "Anfragen", click the request, comment with a file, edit, resolve', async () => {
    const page = await b.newPage({ width: 1280 });
    await logIn(page, 'carla@example.com');
    const key = await createRequest(page, 'Export bricht bei 50 % ab');
    assert.match(await page.locator('.rq-banner').first().innerText(), new RegExp(`Ihre Anfrage ${key} wurde gesendet`));

    await page.goto('/');
    await page.getByRole('link', { name: 'Anfragen' }).first().click();
    await page.waitForURL(/\/requests$/);
    await page.getByRole('link', { name: /Export bricht bei 50 % ab/ }).click();
    await page.waitForURL(new RegExp(`/requests/${key}$`));
    assert.equal((await page.locator('h1').innerText()).trim(), 'Export bricht bei 50 % ab');
    assert.match(await page.locator('.rq-details').innerText(), /Beleglicht Cloud/);
    assert.match(await page.locator('.rq-details .md').first().innerHTML(), /<strong>Export<\/strong>/);
    // app.js turned the UTC fallback into a local date
    assert.doesNotMatch(await page.locator('time[data-local-time]').first().innerText(), /UTC/);

    await page.fill('#body', 'Hier ein **Bildschirmfoto** vom Fehler.');
    await page.setInputFiles('#files', shot);
    await page.getByRole('button', { name: 'Kommentar senden' }).click();
    await page.waitForURL(/done=comment/);
    const comment = page.locator('.tl-comment').last();
    assert.match(await comment.innerText(), /Hier ein Bildschirmfoto vom Fehler\./);
    assert.ok(await comment.locator('img.file-thumb').isVisible(), 'thumbnail shown');
    assert.ok(await comment.locator('img.file-thumb').evaluate((img) => img.complete && img.naturalWidth > 0),
      'thumbnail loaded through the download route');
    assert.match(await page.locator('.alert-success').innerText(), /Ihr Kommentar wurde hinzugefügt/);
    const card = await page.locator('.tl-item').filter({ has: comment }).last().evaluate((li) => {
      const avatar = li.querySelector('.avatar').getBoundingClientRect();
      const box = li.querySelector('.tl-comment').getBoundingClientRect();
      return { liBackground: getComputedStyle(li).backgroundColor, gap: box.left - avatar.right };
    });
    assert.equal(card.liBackground, 'rgba(0, 0, 0, 0)', 'only the comment itself is a card');
    assert.ok(card.gap > 0, 'the avatar sits beside the card, not inside it');

    await page.getByText('Details bearbeiten').click();
    await page.fill('#f_version', '5.3');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await page.waitForURL(/done=saved/);
    const change = page.locator('.tl-item.tl-field').last();
    assert.match(await change.innerText(), /Betroffene Version: 5\.2\s*→\s*(geändert auf\s*)?5\.3/);
    await b.screenshot(page, 'request-detail-de-1280-light');

    await page.getByRole('button', { name: 'Als gelöst markieren' }).click();
    await page.waitForURL(/done=resolved/);
    assert.equal((await page.locator('.rq-head .status-badge').innerText()).replace('Status:', '').trim(), 'Gelöst');
    await page.getByRole('button', { name: 'Wieder öffnen' }).click();
    await page.waitForURL(/done=reopened/);
    assert.match(await page.locator('.rq-head .status-badge').innerText(), /Offen/);
    assertNoProblems(page);

    for (const [width, scheme] of [[390, 'light'], [390, 'dark'], [1280, 'dark']]) {
      const p = await b.newPage({ width, colorScheme: scheme });
      await logIn(p, 'carla@example.com');
      await p.goto(`/requests/${key}`);
      // nothing sticks out sideways on a phone
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page ${overflow}px wider than the ${width}px window`);
      await b.screenshot(p, `request-detail-de-${width}-${scheme}`);
      assertNoProblems(p);
    }
  });

  it('keyboard: the edit toggle, the comment box and the buttons are reachable and visibly focused', async () => {
    const page = await b.newPage({ width: 1280 });
    await logIn(page, 'carla@example.com');
    await page.goto('/requests');
    await page.locator('.request-link').first().click();
    await page.locator('.rq-edit-toggle').focus();
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('#summary').isVisible(), 'edit form opened by keyboard');
    await page.locator('#body').focus();
    const outline = await page.locator('#body').evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'focus ring on the comment box');
    await page.keyboard.press('Shift+Tab');
    assert.ok(await page.evaluate(() => document.activeElement !== document.body));
    assertNoProblems(page);
  });

  it('a comment that cannot be saved keeps the text and puts the message in view', async () => {
    const page = await b.newPage({ width: 390 });
    await logIn(page, 'carla@example.com');
    await page.goto('/requests');
    await page.locator('.request-link').first().click();
    await page.getByRole('button', { name: 'Kommentar senden' }).click();
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'form-errors', 'message focused');
    assert.match(await page.locator('#body-error').innerText(), /Bitte schreiben Sie einen Kommentar/);
    await b.screenshot(page, 'request-comment-error-de-390-light');
    // a 422 answer is expected here; nothing else may go wrong
    assert.deepEqual(page.problems.filter((p) => !/^422 /.test(p)), []);
  });

  it('English: after switching the profile, the same page in English', async () => {
    const page = await b.newPage({ width: 1280, locale: 'en-US' });
    await logIn(page, 'erik@example.com');
    await page.goto('/profile');
    await page.check('input[name=lang][value=en]');
    await page.locator('form[action="/profile"] button[type=submit]').click();
    await page.waitForURL(/\/profile/);
    const key = await createRequest(page, 'Import of bank statements fails');
    assert.match(await page.locator('.rq-banner').first().innerText(), new RegExp(`Your request ${key} has been sent`));
    await page.getByRole('link', { name: 'Requests' }).first().click();
    await page.getByRole('link', { name: /Import of bank statements fails/ }).click();
    assert.match(await page.locator('.rq-details').innerText(), /High – work is seriously hindered/);
    await page.fill('#body', 'Any news?');
    await page.getByRole('button', { name: 'Send comment' }).click();
    await page.waitForURL(/done=comment/);
    assert.match(await page.locator('.alert-success').innerText(), /Your comment has been added/);
    await page.getByText('Edit details').click();
    await page.fill('#f_version', '6.0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/done=saved/);
    assert.match(await page.locator('.tl-item.tl-field').last().innerText(), /Affected version: 5\.2\s*→\s*(changed to\s*)?6\.0/);
    await page.getByRole('button', { name: 'Mark as resolved' }).click();
    await page.waitForURL(/done=resolved/);
    assert.match(await page.locator('.rq-head .status-badge').innerText(), /Resolved/);
    await b.screenshot(page, 'request-detail-en-1280-light');
    assertNoProblems(page);
    const phone = await b.newPage({ width: 390, locale: 'en-US' });
    await logIn(phone, 'erik@example.com');
    await phone.goto(`/requests/${key}`);
    await b.screenshot(phone, 'request-detail-en-390-light');
    assertNoProblems(phone);
  });
});
