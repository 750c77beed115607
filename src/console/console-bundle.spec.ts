import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConsoleDir, loadConsoleBundle } from './console-bundle';

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'assets', 'app-ABC.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'app-ABC.css'), 'body{}');
  writeFileSync(join(dir, 'assets', 'notes.txt'), 'not served');
  mkdirSync(join(dir, 'assets', 'nested.js'));
  return dir;
}

describe('loadConsoleBundle', () => {
  it('holds the page and each asset by bare name, with its type and a content etag', () => {
    const bundle = loadConsoleBundle(builtConsole());
    expect(bundle.page?.contentType).toBe('text/html; charset=utf-8');
    expect(bundle.page?.body.toString()).toBe('<!doctype html><title>t</title>');
    expect([...bundle.assets.keys()].sort()).toEqual(['app-ABC.css', 'app-ABC.js']);
    expect(bundle.assets.get('app-ABC.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(bundle.assets.get('app-ABC.js')?.etag).toMatch(/^"[\w-]{22}"$/);
    expect(bundle.assets.get('app-ABC.js')?.etag).not.toBe(bundle.assets.get('app-ABC.css')?.etag);
  });

  it('is empty, with no page, when the console was never built', () => {
    const bundle = loadConsoleBundle(join(tmpdir(), 'tiergate-console-none', 'public'));
    expect(bundle.page).toBeUndefined();
    expect(bundle.assets.size).toBe(0);
  });
});

describe('defaultConsoleDir', () => {
  it('is public/ beside the compiled module when it exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-dist-'));
    mkdirSync(join(dir, 'public'));
    expect(defaultConsoleDir(dir)).toBe(join(dir, 'public'));
  });

  it('is the built dist/console/public when run from src/console', () => {
    expect(defaultConsoleDir('/repo/src/console')).toBe('/repo/dist/console/public');
  });
});
