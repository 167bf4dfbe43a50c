// accounts_tutorial: the tutorial's "Registrierung im Supportportal" and "Passwort
// zurücksetzen" word for word in a real browser - start page, "Registrieren", e-mail, "Link
// senden", the blue button in the mail, name and password with the strength meter, signed in
// with the name and "Anfragen" in the header; then "Anmelden", "Weiter", "Passwort vergessen?",
// the mailed link, a new password - in German and English, at 1280 and 390 px, with a
// screenshot of every page; and one form done with the keyboard only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser } from './lib/browser.mjs';

const LIMITS = ['--rate-mail-ip', '1000', '--rate-mail-address', '100', '--rate-login-ip', '1000'];

const TEXT = {
  de: {
    locale: 'de-DE', register: 'Registrieren', email: 'E-Mail-Adresse', sendLink: 'Link senden',
    inbox: 'Sehen Sie in Ihr Postfach', button: 'E-Mail-Adresse bestätigen',
    finishHeading: 'Registrierung abschließen', name: 'Vollständiger Name', password: 'Passwort',
    finish: 'Registrierung abschließen', short: 'zu kurz (mindestens 15 Zeichen)', weak: 'Schwach',
    strong: 'Stark', requests: 'Anfragen', login: 'Anmelden', next: 'Weiter',
    forgot: 'Passwort vergessen?', resetButton: 'Neues Passwort wählen',
    resetHeading: 'Neues Passwort wählen', newPassword: 'Neues Passwort', save: 'Passwort speichern',
    saved: 'Ihr neues Passwort wurde gespeichert.', logout: 'Abmelden',
  },
  en: {
    locale: 'en-US', register: 'Register', email: 'E-mail address', sendLink: 'Send link',
    inbox: 'Check your inbox', button: 'Confirm e-mail address',
    finishHeading: 'Finish registration', name: 'Full name', password: 'Password',
    finish: 'Finish registration', short: 'too short (at least 15 characters)', weak: 'Weak',
    strong: 'Strong', requests: 'Requests', login: 'Log in', next: 'Next',
    forgot: 'Forgot password?', resetButton: 'Choose a new password',
    resetHeading: 'Choose a new password', newPassword: 'New password', save: 'Save password',
    saved: 'Your new password has been saved.', logout: 'Log out',
  },
};

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], 'no console errors, page errors or failed requests');
}

/** What the page's error box says (for failure messages). */
async function alertText(page) {
  const box = page.locator('.alert-error');
  return (await box.count()) ? (await box.innerText()).replace(/\s+/g, ' ') : '(no error box)';
}

/**
 * Clicks button on the page opened from a mailed link and waits for the next page. When the
 * portal refuses the POST, records why in problems (the test fails at its end) and, to see the
 * rest of the flow anyway, opens href again - its Referrer-Policy changed to same-origin, so
 * that the browser sends its real Origin - and fills and sends the form again.
 */
async function submitTokenForm(page, href, fill, button, problems, refusedShot) {
  await fill();
  await Promise.all([page.waitForNavigation(), button().click()]);
  if (new URL(page.url()).pathname === '/') return;
  await refusedShot();
  const heading = (await page.locator('h1').first().innerText()).trim();
  const policy = (await page.context().request.get(href)).headers()['referrer-policy'];
  problems.push(`POST from ${new URL(href).pathname} refused: "${heading}" ${await alertText(page)}` +
    ` (the form page sends Referrer-Policy: ${policy}, so the browser sends Origin: null)`);
  // the page again, but with a Referrer-Policy under which the browser names its origin
  await page.route((u) => u.href === href, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'referrer-policy': 'same-origin' } });
  });
  try {
    await page.goto(href);
    await fill();
    await Promise.all([page.waitForNavigation(), button().click()]);
  } finally {
    await page.unrouteAll({ behavior: 'wait' });
  }
  assert.equal(new URL(page.url()).pathname, '/', `even with Referrer-Policy: same-origin: ${await alertText(page)}`);
}

/** The href of the mail's button with this label (the blue one in the HTML part). */
function buttonHref(mail, label) {
  for (const m of mail.html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g))
    if (m[2].replace(/<[^>]*>/g, '').trim() === label) return m[1].replace(/&amp;/g, '&');
  return undefined;
}

describe('the tutorial in the browser: register and reset the password', () => {
  const b = useBrowser({ args: LIMITS });
  const accounts = {};

  /** Screenshot + checks every page of the flow gets. */
  async function shot(page, name, width) {
    const overflow = await page.evaluate(() =>
      document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: no sideways scrolling at ${width}px (${overflow}px)`);
    await b.screenshot(page, name);
  }

  for (const lang of ['de', 'en'])
    for (const width of [1280, 390]) {
      const t = TEXT[lang];
      const email = `tutorial.${lang}.${width}@example.com`;
      const name = lang === 'de' ? 'Anna Beispiel' : 'Alice Example';
      const password = lang === 'de' ? 'Kaffeetasse Leuchtturm Gartenzaun Blau'
        : 'Teacup Lighthouse Garden Fence Blue';
      const newPassword = lang === 'de' ? 'Regenschirm Marmelade Segelboot Nord'
        : 'Umbrella Marmalade Sailboat North';
      const tag = `accounts-${lang}-${width}`;

      it(`${lang} ${width}px: registration as the tutorial tells it`, async () => {
        const page = await b.newPage({ width, locale: t.locale });
        await page.goto('/');
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await shot(page, `${tag}-01-start`, width);
        // 1. "Registrieren", the e-mail address, "Link senden"
        await Promise.all([page.waitForURL('**/register'),
          page.getByRole('link', { name: t.register, exact: true }).first().click()]);
        await shot(page, `${tag}-02-register`, width);
        await page.getByLabel(t.email).fill(email);
        const before = b.server.mail().length;
        await Promise.all([page.waitForLoadState('load'),
          page.getByRole('button', { name: t.sendLink }).click()]);
        await page.getByRole('heading', { name: t.inbox }).waitFor();
        assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/\./g, '\\.')));
        await shot(page, `${tag}-03-sent`, width);

        // 2. the mail with the blue button
        const mail = await b.server.waitForMail({ to: email }, { after: before });
        const href = buttonHref(mail, t.button);
        assert.ok(href, `a "${t.button}" button in the mail`);
        assert.ok(mail.text.includes(href), 'the same link in the text part');
        // how the mail looks: its HTML part rendered at this width, the button blue
        const mailPage = await b.newPage({ width, locale: t.locale });
        await mailPage.setContent(mail.html);
        const button = mailPage.getByRole('link', { name: t.button });
        assert.ok(await button.isVisible(), 'the button is visible in the rendered mail');
        const bg = await button.evaluate((a) => {
          for (let el = a; el; el = el.parentElement) {
            const c = getComputedStyle(el).backgroundColor;
            if (c !== 'rgba(0, 0, 0, 0)') return c;
          }
          return '';
        });
        const [r, g, bl] = bg.match(/\d+/g).map(Number);
        assert.ok(bl > r + 60 && bl > g + 30, `the button is blue: ${bg}`);
        await shot(mailPage, `${tag}-03b-mail`, width);
        await mailPage.close();

        // 3. finish: name and a strong password, watching the meter
        await page.goto(href);
        await page.getByRole('heading', { name: t.finishHeading }).waitFor();
        assert.equal(await page.locator('#email').inputValue(), email);
        assert.ok(await page.locator('#email').evaluate((el) => el.readOnly), 'address read-only');
        assert.ok(await page.locator('.alert-warning').isVisible(), 'the "strong password" warning');
        await shot(page, `${tag}-04-finish`, width);
        const problems = [];
        let firstFill = true;
        await submitTokenForm(page, href, async () => {
          await page.getByLabel(t.name).fill(name);
          const meter = page.locator('#password-meter');
          if (firstFill) {
            assert.equal(await meter.isVisible(), false, 'no meter before typing');
            await page.locator('#password').pressSequentially('kurz1', { delay: 10 });
            await meter.waitFor({ state: 'visible' });
            await page.waitForFunction((want) =>
              document.querySelector('#password-meter .meter-label').textContent === want, t.weak);
            assert.deepEqual(await page.locator('#password-meter .meter-reasons li').allInnerTexts(),
              [t.short], 'the meter says why');
            await shot(page, `${tag}-05-meter-weak`, width);
            await page.locator('#password').fill('');
          }
          await page.locator('#password').pressSequentially(password, { delay: 5 });
          await page.waitForFunction((want) =>
            document.querySelector('#password-meter .meter-label').textContent === want, t.strong);
          assert.equal(await page.locator('#password-meter .meter-reasons li').count(), 0);
          if (firstFill) await shot(page, `${tag}-06-meter-strong`, width);
          firstFill = false;
        }, () => page.getByRole('button', { name: t.finish }), problems,
        () => shot(page, `${tag}-06b-finish-refused`, width));

        // signed in: the name and "Anfragen" in the header
        const userName = page.locator('.user-name');
        await userName.waitFor({ state: 'attached' });
        assert.equal((await userName.textContent()).trim(), name);
        // on a phone the name may give way to the profile icon; on a desktop it must show
        if (width >= 600) assert.ok(await userName.isVisible(), 'the name is visible in the header');
        const requests = page.getByRole('link', { name: t.requests });
        assert.ok(await requests.isVisible(), `"${t.requests}" in the header`);
        await shot(page, `${tag}-07-signed-in`, width);
        accounts[tag] = { email, name, password };
        assert.deepEqual(problems, [], 'the registration went through as the tutorial says');
        assertNoProblems(page);
      });

      it(`${lang} ${width}px: "Passwort zurücksetzen" as the tutorial tells it`, async () => {
        assert.ok(accounts[tag], 'registered in the test before');
        const page = await b.newPage({ width, locale: t.locale });
        await page.goto('/');
        // 1. "Anmelden" with the e-mail address
        await Promise.all([page.waitForURL('**/login'),
          page.getByRole('link', { name: t.login, exact: true }).first().click()]);
        await shot(page, `${tag}-08-login`, width);
        await page.getByLabel(t.email).fill(email);
        // 2. "Weiter", then "Passwort vergessen?" at the very bottom
        await page.getByRole('button', { name: t.next }).click();
        await page.locator('#password').waitFor();
        await shot(page, `${tag}-09-login-step2`, width);
        const forgot = page.getByRole('button', { name: t.forgot });
        const [forgotBox, loginBox] = await Promise.all([forgot.boundingBox(),
          page.getByRole('button', { name: t.login, exact: true }).boundingBox()]);
        assert.ok(forgotBox.y > loginBox.y, '"Passwort vergessen?" is below the login button');
        const before = b.server.mail().length;
        await forgot.click();
        await page.getByRole('heading', { name: t.inbox }).waitFor();
        await shot(page, `${tag}-10-forgot-sent`, width);
        // the link from the mail, a new password
        const mail = await b.server.waitForMail({ to: email }, { after: before });
        const href = buttonHref(mail, t.resetButton);
        assert.ok(href, `a "${t.resetButton}" button in the reset mail`);
        await page.goto(href);
        await page.getByRole('heading', { name: t.resetHeading }).waitFor();
        const problems = [];
        let firstFill = true;
        await submitTokenForm(page, href, async () => {
          await page.getByLabel(t.newPassword).fill(newPassword);
          await page.waitForFunction((want) =>
            document.querySelector('#password-meter .meter-label').textContent === want, t.strong);
          if (firstFill) await shot(page, `${tag}-11-reset`, width);
          firstFill = false;
        }, () => page.getByRole('button', { name: t.save }), problems,
        () => shot(page, `${tag}-11b-reset-refused`, width));
        await page.getByText(t.saved).waitFor();
        assert.equal((await page.locator('.user-name').textContent()).trim(), name, 'signed in');
        await shot(page, `${tag}-12-reset-done`, width);
        accounts[tag].password = newPassword;
        assert.deepEqual(problems, [], 'the reset went through as the tutorial says');
        assertNoProblems(page);
      });
    }

  it('keyboard only: log in with Tab, typing and Enter', async () => {
    // an account of its own, registered over plain HTTP, so this test stands alone
    const email = 'keyboard.only@example.com';
    const name = 'Karl Tastatur';
    const password = 'Mondlicht Eingabe Pfeil Leertaste';
    const c = b.server.client();
    assert.equal((await c.submitForm('/register', { email })).status, 200);
    const mail = await b.server.waitForMail({ to: email });
    const done = await c.submitForm(buttonHref(mail, TEXT.de.button), { name, password });
    assert.equal(done.status, 303);
    const page = await b.newPage();
    await page.goto('/login');
    // from the top of the page: Tab until the e-mail field has the focus
    await page.evaluate(() => document.activeElement?.blur());
    let focused = '';
    for (let i = 0; i < 15 && focused !== 'email'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id || '');
    }
    assert.equal(focused, 'email', 'Tab reaches the e-mail field');
    assert.ok(await page.evaluate(() => document.activeElement.matches(':focus-visible')));
    await page.keyboard.type(email);
    await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
    await page.locator('#password').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password',
      'step 2 puts the focus into the password field');
    await page.keyboard.type(password);
    await Promise.all([page.waitForURL((u) => new URL(u).pathname === '/'),
      page.keyboard.press('Enter')]);
    assert.equal((await page.locator('.user-name').textContent()).trim(), name);
    await b.screenshot(page, 'accounts-keyboard-signed-in');
    assertNoProblems(page);
  });

  it('stops cleanly on SIGTERM', () => b.server.stop());
});
