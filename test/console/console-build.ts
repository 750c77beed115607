import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
/** Where `npm run build` writes the console; the gateway serves it from there. */
export const CONSOLE_DIST = join(ROOT, 'dist', 'console', 'public');
const WEB = join(ROOT, 'src', 'console', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the console (`npm run build:console`) when it is missing or older than its sources, so
 * the tests serve the page under test, also on a fresh clone where tests run before any build.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIST, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newestMtime(WEB)) {
    execFileSync('npm', ['run', '--silent', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
  }
}
