import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as Puppeteer from 'puppeteer-core';
import type { Browser, Page } from 'puppeteer-core';

// Callbacks of page.evaluate run in the page; the test program has no DOM library, so the page's
// globals are declared here, for this file only.
declare const document: any;

/** Debian's chromium (`apt-get install -y chromium`); nothing here downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Where the suite saves the panels' screenshots (not committed; CI prints the path). */
export const SCREENSHOTS = join(__dirname, 'screenshots');

/**
 * `describe` when chromium is installed. Without it the suite is skipped outside CI, loudly, and
 * fails in CI (`CI=true`), where `.ci/run` installs it.
 */
export function describeBrowser(name: string, body: () => void): void {
  jest.setTimeout(120_000);
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  const missing = `no chromium at ${CHROMIUM} (install it: apt-get install -y chromium; or set CHROMIUM)`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs chromium (CI=true: a missing browser is a failure)', () => {
        throw new Error(missing);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPED: "${name}" drives a real browser, and there is ${missing}.\n`);
  describe.skip(name, body);
}

/** Loaded by the browser project's environment (browser.environment.js), not by Jest's registry. */
const puppeteer = (globalThis as unknown as { puppeteer: typeof Puppeteer }).puppeteer;

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
}

/** What a page did besides what it was told: requests elsewhere, CSP violations, script errors. */
export interface PageWatch {
  /** Every URL requested (data: URLs aside). */
  requested: string[];
  /** Requests to any origin but `origin`: aborted, and listed here. */
  foreign: string[];
  /** Console errors (CSP violations land here) and uncaught exceptions. */
  errors: string[];
}

export async function watchPage(page: Page, origin: string): Promise<PageWatch> {
  const watch: PageWatch = { requested: [], foreign: [], errors: [] };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:')) {
      void request.continue();
      return;
    }
    watch.requested.push(url);
    if (new URL(url).origin !== origin) {
      watch.foreign.push(url);
      void request.abort();
      return;
    }
    void request.continue();
  });
  page.on('console', (message) => {
    // The refused keys answer 401/403 on purpose; the browser logs each as a failed resource.
    if (message.type() === 'error' && !/status of 40[13]/.test(message.text()))
      watch.errors.push(message.text());
  });
  page.on('pageerror', (error) => watch.errors.push(String(error)));
  return watch;
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** The text of the first element matching `selector`, or null. */
export function textOf(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
}

/** Waits, without reloading, until the element's text is present and differs from `before`. */
/**
 * Waits until the number shown at `selector` exceeds `floor` and returns it. A panel shows a
 * placeholder, then the figure of its first poll, then later ones: waiting for any change would
 * return that first figure, which may predate the traffic a test just sent.
 */
export async function waitForCountAbove(
  page: Page,
  selector: string,
  floor: number,
  timeout = 60_000,
): Promise<number> {
  await page.waitForFunction(
    (s, f) => {
      const digits = document.querySelector(s)?.textContent?.replace(/\D/g, '');
      return !!digits && Number(digits) > f;
    },
    { timeout, polling: 250 },
    selector,
    floor,
  );
  return Number((await textOf(page, selector))!.replace(/\D/g, ''));
}

export async function waitForChange(
  page: Page,
  selector: string,
  before: string | null,
  timeout = 60_000,
): Promise<string> {
  await page.waitForFunction(
    (s, b) => {
      const text = document.querySelector(s)?.textContent;
      return typeof text === 'string' && text !== b;
    },
    { timeout, polling: 250 },
    selector,
    before,
  );
  return (await textOf(page, selector))!;
}
