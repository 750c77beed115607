import { CONSOLE_CSP } from '../../src/console';
import { expectErrorEnvelope, startStack, type Stack } from '../e2e/harness';
import { ensureConsoleBuilt } from './console-build';

/*
 * GET /console and its assets, served by the gateway itself (issue 16, point 1): public (the
 * page holds no secret), a strict CSP, hashed assets cached for good, nothing else served.
 */
describe('the console page (e2e)', () => {
  let stack: Stack;
  let html: string;
  let page: Response;

  beforeAll(async () => {
    ensureConsoleBuilt();
    stack = await startStack();
    page = await fetch(`${stack.url}/console`);
    html = await page.text();
  }, 120_000);
  afterAll(() => stack?.close());

  const assetPaths = () =>
    [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);

  it('serves the page without a key, with a CSP that allows only the gateway itself and no framing', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).not.toContain('unsafe-eval');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache');
  });

  it('has no inline script or style and loads only its own hashed assets', () => {
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(assetPaths()).toEqual([
      expect.stringMatching(/^\/console\/assets\/app-[A-Z0-9]+\.css$/),
      expect.stringMatching(/^\/console\/assets\/app-[A-Z0-9]+\.js$/),
    ]);
  });

  it('serves each asset with its type, cached for good, and revalidates by etag', async () => {
    for (const path of assetPaths()) {
      const res = await fetch(`${stack.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(
        path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
      );
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
      const again = await fetch(`${stack.url}${path}`, {
        headers: { 'if-none-match': res.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    }
    const unchanged = await fetch(`${stack.url}/console`, {
      headers: { 'if-none-match': page.headers.get('etag')! },
    });
    expect(unchanged.status).toBe(304);
  });

  it.each([
    '/console/assets/nope.js',
    '/console/assets/..%2F..%2Fpackage.json',
    '/console/assets/%2e%2e%2findex.html',
  ])('answers 404 not_found for %s: only the built files are served', async (path) => {
    const res = await fetch(`${stack.url}${path}`);
    expect(res.status).toBe(404);
    expectErrorEnvelope(await res.json(), 'invalid_request_error', 'not_found');
  });
});
