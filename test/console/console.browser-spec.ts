import type { Browser, Page } from 'puppeteer-core';
import { startSimulator, type RunningSimulator } from '../simulator';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import {
  describeBrowser,
  launchBrowser,
  screenshotPath,
  textOf,
  waitForChange,
  waitForCountAbove,
  watchPage,
  type PageWatch,
} from './browser';
import { ensureConsoleBuilt } from './console-build';

// Callbacks of page.evaluate run in the page; the test program has no DOM library, so the page's
// globals are declared here, for this file only.
declare const document: any;
declare const sessionStorage: any;
declare const window: any;
declare const getComputedStyle: (element: unknown) => {
  outlineStyle: string;
  outlineWidth: string;
};

/*
 * Issue 16, point 5: the console in a real browser (Debian's chromium, headless), against the
 * running gateway serving the built console (`npm run build:console`) and two simulators. Each panel must show live data that
 * changes after traffic is sent, without a reload; the page must make no request to any other
 * origin and break no rule of its CSP. Screenshots of each panel at 1280×800 and 375 px go to
 * test/console/screenshots/.
 */

const ADMIN_KEY = 'tg-console-admin-0123456789';
const CLIENT_KEY = 'tg-console-client-0123456789';
type Panel = 'providers' | 'routing' | 'performance' | 'spend';

describeBrowser('the console in chromium (browser)', () => {
  let instant: RunningSimulator;
  let thinking: RunningSimulator;
  let gateway: GatewayProcess | undefined;
  let browser: Browser;
  let page: Page;
  let watch: PageWatch;

  beforeAll(async () => {
    ensureConsoleBuilt();
    instant = await startSimulator({ model: 'sim-instant', name: 'instant' });
    thinking = await startSimulator({
      model: 'sim-thinking',
      name: 'thinking',
      behavior: { reasoning: 'reasoning_content' },
    });
    gateway = await startConsoleGateway(instant, thinking);
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    watch = await watchPage(page, gateway.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    await Promise.all([instant?.close(), thinking?.close()]);
  });

  /** Chat requests from an application's (client) key, through the gateway. */
  async function traffic(count: number, model: string, content = 'Say hello.'): Promise<void> {
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${gateway!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model,
          stream: i % 2 === 1,
          messages: [{ role: 'user', content: `${content} (${i})` }],
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
    }
  }

  async function signIn(key: string): Promise<void> {
    await page.waitForSelector('#admin-key');
    await page.$eval('#admin-key', (input) => ((input as any).value = ''));
    await page.type('#admin-key', key);
    await page.click('button[type="submit"]');
  }

  async function show(panel: Panel): Promise<void> {
    await page.click(`a[href="#${panel}"]`);
    await page.waitForSelector(`main[data-panel="${panel}"]`);
  }

  async function screenshots(panel: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath(`${panel}-1280x800`) });
    await page.setViewport({ width: 375, height: 800 });
    // The page itself never scrolls sideways on a phone: wide tables scroll in their own region.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= 375, {
      timeout: 10_000,
    });
    await page.screenshot({ path: screenshotPath(`${panel}-375`), fullPage: true });
    await page.setViewport({ width: 1280, height: 800 });
  }

  it('refuses an unknown key and a client key, saying what to do, and keeps neither', async () => {
    await page.goto(`${gateway!.url}/console`);
    await signIn('tg-not-a-key');
    await page.waitForSelector('[data-testid="sign-in-error"]');
    expect(await textOf(page, '[data-testid="sign-in-error"]')).toMatch(
      /^401: the gateway does not accept this key\. Sign out and sign in with an admin key/,
    );
    await signIn(CLIENT_KEY);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="sign-in-error"]')?.textContent?.startsWith('403'),
    );
    expect(await textOf(page, '[data-testid="sign-in-error"]')).toMatch(
      /^403: the key is not an admin key/,
    );
    expect(await page.evaluate(() => [sessionStorage.length, document.cookie])).toEqual([0, '']);
    await page.screenshot({ path: screenshotPath('sign-in-refused-1280x800') });
  });

  it('signs in with the admin key, kept in session storage and sent only as a header', async () => {
    await signIn(ADMIN_KEY);
    await page.waitForSelector('[data-testid="pool-instant"]');
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([ADMIN_KEY]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(
      watch.requested.filter((url) => url.includes(ADMIN_KEY) || url.includes(CLIENT_KEY)),
    ).toEqual([]);
  });

  it('Providers: every pool and replica, a working connection test, and live load figures', async () => {
    await page.waitForSelector('[data-testid="pool-thinking"]');
    const row = '[data-testid="pool-instant"] tbody tr';
    await page.waitForFunction(
      (s) => document.querySelector(s)?.textContent?.includes('healthy'),
      { timeout: 30_000 },
      row,
    );
    const text = (await textOf(page, '[data-testid="pool-instant"]'))!;
    expect(text).toContain('sim-instant');
    expect(text).toContain(instant.url.replace('http://', ''));
    expect(text).toMatch(/closed/);
    expect(await textOf(page, '[data-testid="gateway-health"]')).toMatch(
      /Gateway health: (ok|degraded)/,
    );

    await page.click('[data-testid="pool-instant"] button');
    await page.waitForFunction(
      () =>
        /^(healthy|unhealthy|unknown) at \d\d:\d\d:\d\d$/.test(
          document.querySelector('[data-testid="pool-instant"] [role="status"]')?.textContent ?? '',
        ),
      { timeout: 30_000 },
    );
    expect(await textOf(page, '[data-testid="pool-instant"] [role="status"]')).toMatch(
      /^healthy at /,
    );

    const before = await textOf(page, row);
    await traffic(3, 'instant');
    const after = await waitForChange(page, row, before);
    expect(after).toMatch(/[1-9]\d* req/);
    await screenshots('providers');
  });

  it('Routing: tier share, decisions and fallbacks change with auto traffic; the explainer answers', async () => {
    await show('routing');
    await page.waitForSelector('[data-testid="auto-requests"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="threshold"]')?.textContent !== '—',
      { timeout: 30_000 },
    );
    expect(Number(await textOf(page, '[data-testid="threshold"]'))).toBeGreaterThan(0);
    const before = await textOf(page, '[data-testid="auto-requests"]');
    await traffic(2, 'auto', 'Prove that there are infinitely many primes, step by step.');
    await traffic(2, 'auto', 'Hi there!');
    const beforeCount = Number((before ?? '0').replace(/\D/g, '') || 0);
    const after = await waitForCountAbove(page, '[data-testid="auto-requests"]', beforeCount);
    expect(after).toBeGreaterThan(beforeCount);
    await page.waitForSelector('[data-testid="decisions"] tbody tr');
    await page.waitForSelector('[data-testid="chart-tier-share"] canvas');
    expect(await textOf(page, '[data-testid="fallbacks"]')).toMatch(/instant/);

    await page.type('#route-prompt', 'Prove that the square root of 2 is irrational.');
    await page.click('.explainer button[type="submit"]');
    await page.waitForSelector('[data-testid="explanation"]', { timeout: 30_000 });
    expect(await textOf(page, '[data-testid="explained-tier"]')).toMatch(/^(instant|thinking)$/);
    expect(await textOf(page, '[data-testid="explained-reason"]')).toMatch(/\S/);
    expect(
      await page.$$eval('[data-testid="features"] tbody tr', (rows) => rows.length),
    ).toBeGreaterThan(0);
    await screenshots('routing');
  });

  it('Performance: per tier and per replica, with charts that move with traffic', async () => {
    await show('performance');
    await page.waitForSelector('[data-testid="performance-table"] tbody tr');
    const table = '[data-testid="performance-table"] tbody';
    const before = await textOf(page, table);
    await traffic(4, 'thinking');
    await waitForChange(page, table, before);
    for (const chart of ['chart-rate', 'chart-latency'])
      await page.waitForSelector(`[data-testid="${chart}"] canvas`);
    expect(await textOf(page, table)).toMatch(/thinking/);
    await page.click('input[name="perf-by"][value="replica"]');
    await page.waitForFunction(
      (s) =>
        document.querySelector('[data-testid="performance-table"] thead th')?.textContent === s,
      {},
      'replica',
    );
    await screenshots('performance');
    await page.click('input[name="perf-by"][value="tier"]');
  });

  it('Spend: cost per key, tier and model, the budget in use and the top spender, changing with traffic', async () => {
    await show('spend');
    await page.waitForSelector('[data-testid="total-cost"]');
    const before = await textOf(page, '[data-testid="total-cost"]');
    await traffic(3, 'thinking', 'Write a long answer about prime numbers.');
    await waitForChange(page, '[data-testid="total-cost"]', before);
    await page.waitForSelector('[data-testid="top-spenders"] li');
    expect(await textOf(page, '[data-testid="top-spenders"]')).toContain('app');
    expect(await textOf(page, '[data-testid="budgets"]')).toContain('app');
    for (const table of ['cost-by-key', 'cost-by-tier', 'cost-by-model'])
      await page.waitForSelector(`[data-testid="${table}"] tbody tr`);
    expect(await textOf(page, '[data-testid="cost-by-model"]')).toContain('sim-thinking');
    await screenshots('spend');
  });

  it('is usable by keyboard: the panels are links in tab order with a visible focus ring', async () => {
    await page.focus('a[href="#providers"]');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        href: el.getAttribute('href'),
        outline: style.outlineStyle,
        width: style.outlineWidth,
      };
    });
    expect(focused.href).toBe('#routing');
    expect(focused.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-panel="routing"]');
  });

  it('made no request to any other origin and broke no rule of its CSP', () => {
    const origin = new URL(gateway!.url).origin;
    expect(watch.requested.length).toBeGreaterThan(10);
    expect(watch.requested.every((url) => url.startsWith(origin))).toBe(true);
    expect(watch.foreign).toEqual([]);
    expect(watch.errors).toEqual([]);
  });
});

/**
 * The gateway as the container runs it (`node dist/main.js`), configured from a YAML file, serving
 * the console that `npm run build` bundled, in front of two simulators.
 */
async function startConsoleGateway(
  instant: RunningSimulator,
  thinking: RunningSimulator,
): Promise<GatewayProcess> {
  const pool = (sim: RunningSimulator) => ({
    upstreams: [{ url: sim.url }],
    health_check: {
      interval_ms: 200,
      timeout_ms: 1000,
      healthy_threshold: 1,
      unhealthy_threshold: 2,
    },
  });
  ensureBuilt();
  return startBuiltGateway(
    {
      pools: { instant: pool(instant), thinking: pool(thinking) },
      tiers: {
        instant: { pool: 'instant', model: 'sim-instant' },
        thinking: { pool: 'thinking', model: 'sim-thinking' },
      },
      auth: {
        keys: [
          { name: 'console-admin', key: ADMIN_KEY, role: 'admin' },
          { name: 'app', key: CLIENT_KEY },
        ],
      },
      pricing: {
        currency: 'USD',
        tiers: { instant: { input: 0.5, output: 1.5 }, thinking: { input: 3, output: 15 } },
      },
      budgets: { keys: { app: { amount: 5, period: 'day', mode: 'soft' } } },
    },
    { REQUEST_TIMEOUT_MS: '10000' },
    60_000,
  );
}
