// browser: Debian's chromium driven by playwright-core for end-to-end tests. One browser per
// test file (launched in before(), closed in after(), also when tests fail), one server per
// file (tests/http/lib/server.mjs), a fresh context per page. Pages record console errors,
// uncaught exceptions and failed responses so a test can assert there were none (a CSP
// violation shows up as a console error).
import { after, afterEach, before } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT, startServer } from '../../http/lib/server.mjs';

export const CHROMIUM = process.env.PFORTE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'tests/e2e/screenshots');

/** The browser asks for /favicon.ico on its own; a missing one is not the page's fault. */
function expect404(url) {
  return new URL(url).pathname === '/favicon.ico';
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000 });
}

/**
 * Registers hooks in the current describe(): a server (options as for startServer) and a
 * browser. Returns a handle: .server, .browser, newPage(options), screenshot(page, name).
 */
export function useBrowser(serverOptions = {}) {
  const contexts = [];
  const handle = {
    server: null,
    browser: null,
    /**
     * A page in a fresh context. options: width (default 1280), height (900), colorScheme
     * ('light'|'dark'), locale ('de-DE'; sets Accept-Language). The page gets .problems:
     * console errors, page errors and responses with status >= 400 (but /favicon.ico).
     */
    async newPage({ width = 1280, height = 900, colorScheme = 'light', locale = 'de-DE' } = {}) {
      handle.server.checkAlive();
      const context = await handle.browser.newContext({
        baseURL: handle.server.url,
        viewport: { width, height },
        deviceScaleFactor: 1,
        colorScheme,
        locale,
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      context.setDefaultTimeout(10000);
      const page = await context.newPage();
      page.problems = [];
      page.on('console', (m) => {
        // failed loads are reported with their URL by the response listener below
        if (m.type() === 'error' && !/^Failed to load resource/.test(m.text()))
          page.problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
      page.on('response', (r) => {
        if (r.status() >= 400 && !expect404(r.url())) page.problems.push(`${r.status()} ${r.url()}`);
      });
      page.on('requestfailed', (r) => page.problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
      return page;
    },
    /** Saves a full-page PNG as tests/e2e/screenshots/NAME.png; returns its path. */
    async screenshot(page, name) {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      return file;
    },
  };
  before(async () => {
    handle.server = await startServer(serverOptions);
    handle.browser = await launchBrowser();
  });
  afterEach(async () => {
    while (contexts.length) await contexts.pop().close().catch(() => {});
    if (handle.server) {
      handle.server.checkSanitizer();
      handle.server.checkAlive();
    }
  });
  after(async () => {
    try {
      if (handle.browser) await handle.browser.close();
    } finally {
      if (handle.server) await handle.server.stop();
    }
  });
  return handle;
}
