// start page in a real browser: what a visitor sees and does first - the request types,
// narrowing them with the filter box, switching the language, getting there by keyboard -
// and screenshots at phone and desktop widths, German and English, light and dark.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './lib/browser.mjs';

const DEMO_TYPES = 6;

/** Names of the cards that are visible now. */
async function visibleCards(page) {
  const out = [];
  for (const card of await page.locator('.type-card').all())
    if (await card.isVisible()) out.push((await card.innerText()).trim());
  return out;
}

/** What makes the focused element look focused: outline, box-shadow, border, background. */
function focusLook(el) {
  const s = getComputedStyle(el);
  return {
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
      ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none',
    boxShadow: s.boxShadow,
    border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`,
    background: s.backgroundColor,
    textDecoration: s.textDecorationLine,
  };
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], 'no console errors, page errors or failed requests');
}

describe('start page in the browser', () => {
  const b = useBrowser();

  it('shows the portal, the heading and the 6 request types', async () => {
    const page = await b.newPage();
    await page.goto('/');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await page.locator('h1').first().waitFor();
    assert.ok((await page.locator('h1').innerText()).trim().length > 0, 'h1 has text');
    assert.ok(await page.getByRole('heading', { name: 'Art der Anfrage' }).isVisible());
    assert.equal((await visibleCards(page)).length, DEMO_TYPES);
    assert.ok(await page.locator('#type-filter').isVisible(), 'filter box visible');
    assert.equal(await page.locator('#type-filter-empty').isVisible(), false,
      'empty-state message hidden while cards match');
    // the stylesheet really applied: the page is not the browser's unstyled default
    const styled = await page.evaluate(() => [...document.styleSheets].some((s) => {
      try {
        return s.cssRules.length > 0;
      } catch {
        return false;
      }
    }));
    assert.ok(styled, 'stylesheet loaded');
    assertNoProblems(page);
  });

  it('the filter box narrows the request types and shows an empty state', async () => {
    const page = await b.newPage();
    await page.goto('/');
    const all = await visibleCards(page);
    assert.equal(all.length, DEMO_TYPES);
    // a word of the first card's name that no other card contains
    const first = all[0].split('\n')[0];
    const words = first.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4)
      .sort((x, y) => y.length - x.length);
    const word = words.find((w) => all.slice(1).every((c) => !c.toLowerCase().includes(w.toLowerCase())));
    assert.ok(word, `a distinctive word in "${first}"`);
    const filter = page.locator('#type-filter');
    await filter.click();
    await page.keyboard.type(word.toLowerCase().slice(0, 5), { delay: 20 });
    await page.waitForFunction((n) => [...document.querySelectorAll('.type-card')]
      .filter((c) => c.offsetParent !== null).length < n, DEMO_TYPES);
    const narrowed = await visibleCards(page);
    assert.ok(narrowed.length >= 1 && narrowed.length < DEMO_TYPES, `narrowed: ${narrowed}`);
    assert.ok(narrowed.includes(all[0]), `the first card stays: ${narrowed}`);
    assert.equal(await page.locator('#type-filter-empty').isVisible(), false);
    await b.screenshot(page, 'filter-narrowed');

    await filter.fill('');
    await page.keyboard.type('xqzjvw', { delay: 20 });
    await page.locator('#type-filter-empty').waitFor({ state: 'visible' });
    assert.equal((await visibleCards(page)).length, 0, 'no card matches nonsense');
    assert.ok((await page.locator('#type-filter-empty').innerText()).trim().length > 0,
      'the empty state says something');
    await b.screenshot(page, 'filter-empty');

    await filter.fill('');
    await page.locator('#type-filter-empty').waitFor({ state: 'hidden' });
    assert.equal((await visibleCards(page)).length, DEMO_TYPES, 'clearing shows all again');
    assertNoProblems(page);
  });

  it('the filter ignores case and matches the descriptions as typed', async () => {
    const page = await b.newPage();
    await page.goto('/');
    const all = await visibleCards(page);
    const name = all[1].split('\n')[0].trim();
    await page.locator('#type-filter').fill(name.toUpperCase());
    await page.waitForFunction((n) => [...document.querySelectorAll('.type-card')]
      .filter((c) => c.offsetParent !== null).length < n, DEMO_TYPES);
    assert.ok((await visibleCards(page)).includes(all[1]), `"${name.toUpperCase()}" finds its card`);
    assertNoProblems(page);
  });

  it('the language switch goes to English and back, and is remembered', async () => {
    const page = await b.newPage();
    await page.goto('/');
    await page.locator('a[hreflang="en"]').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.ok(await page.getByRole('heading', { name: 'Type of request' }).isVisible());
    assert.ok(await page.getByRole('link', { name: 'Log in' }).first().isVisible());
    assert.equal((await visibleCards(page)).length, DEMO_TYPES);
    await page.goto('/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'English remembered');
    await page.locator('a[hreflang="de"]').click();
    await page.waitForFunction(() => document.documentElement.lang === 'de');
    assert.ok(await page.getByRole('heading', { name: 'Art der Anfrage' }).isVisible());
    assert.ok(await page.getByRole('link', { name: 'Anmelden' }).first().isVisible());
    await page.reload();
    assert.equal(await page.getAttribute('html', 'lang'), 'de', 'German remembered');
    assertNoProblems(page);
  });

  it('keyboard: Tab reaches the filter box and the cards, with visible focus', async () => {
    const page = await b.newPage();
    await page.goto('/');
    const restFilter = await page.locator('#type-filter').evaluate(focusLook);
    const restCard = await page.locator('.type-card').nth(1).evaluate(focusLook);
    const seen = [];
    let filterAt = -1;
    let cardAt = -1;
    for (let i = 0; i < 40 && cardAt < 0; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        const card = el?.closest('.type-card');
        return { id: el?.id, tag: el?.tagName, text: (el?.innerText || el?.value || '').slice(0, 30),
          card: Boolean(card), visible: el?.matches(':focus-visible') };
      });
      seen.push(`${info.tag}#${info.id || ''} ${info.text}`);
      if (info.id === 'type-filter' && filterAt < 0) {
        filterAt = i;
        assert.ok(info.visible, 'filter box matches :focus-visible');
        const look = await page.locator('#type-filter').evaluate(focusLook);
        assert.notDeepEqual(look, restFilter, 'the filter box looks different when focused');
        assert.ok(look.outline !== 'none' || look.boxShadow !== 'none',
          `focus ring on the filter box: ${JSON.stringify(look)}`);
        await b.screenshot(page, 'focus-filter');
      }
      if (info.card) {
        cardAt = i;
        assert.ok(info.visible, 'card matches :focus-visible');
        const look = await page.evaluate(`(${focusLook})(document.activeElement)`);
        assert.notDeepEqual(look, restCard, 'a focused card looks different from the others');
        assert.ok(look.outline !== 'none' || look.boxShadow !== 'none',
          `focus ring on the card: ${JSON.stringify(look)}`);
        await b.screenshot(page, 'focus-card');
      }
    }
    assert.ok(filterAt >= 0, `Tab never reached #type-filter: ${seen.join(' | ')}`);
    assert.ok(cardAt > filterAt, `Tab reaches a card after the filter: ${seen.join(' | ')}`);
    // Enter on the focused card follows its link; a visitor who is not signed in is asked to
    // log in first and comes back to the form afterwards
    const href = await page.evaluate(() => {
      const el = document.activeElement;
      return (el.closest('a') || el.querySelector('a')).href;
    });
    const path = new URL(href).pathname;
    const login = new URL(`/login?next=${encodeURIComponent(path)}`, href).href;
    await Promise.all([page.waitForURL(login), page.keyboard.press('Enter')]);
    assert.equal(page.url(), login);
  });

  it('screenshots: 390 and 1280 px, German and English, light and dark', async () => {
    const backgrounds = {};
    for (const width of [390, 1280])
      for (const lang of ['de', 'en'])
        for (const scheme of ['light', 'dark']) {
          const page = await b.newPage({ width, colorScheme: scheme,
            locale: lang === 'en' ? 'en-US' : 'de-DE' });
          await page.goto('/');
          assert.equal(await page.getAttribute('html', 'lang'), lang, 'Accept-Language picks it');
          assert.equal((await visibleCards(page)).length, DEMO_TYPES);
          const overflow = await page.evaluate(() =>
            document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `${width}px ${lang} ${scheme}: no sideways scrolling (${overflow}px)`);
          backgrounds[`${width}-${lang}-${scheme}`] = await page.evaluate(() => {
            const bg = (el) => getComputedStyle(el).backgroundColor;
            const body = bg(document.body);
            return body === 'rgba(0, 0, 0, 0)' ? bg(document.documentElement) : body;
          });
          await b.screenshot(page, `start-${lang}-${width}-${scheme}`);
          assertNoProblems(page);
        }
    assert.notEqual(backgrounds['1280-de-light'], backgrounds['1280-de-dark'],
      `dark colour scheme changes the page: ${JSON.stringify(backgrounds)}`);
  });

  it('stops cleanly on SIGTERM', () => b.server.stop());
});
