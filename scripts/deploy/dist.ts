import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './deploy.constants';

export const DIST = join(ROOT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * dist/ as `npm run build` makes it, built first when it is missing or older than src/ (a
 * fresh clone, or a change without a rebuild), the way `npm start` does.
 */
export function ensureDist(): string {
  const main = join(DIST, 'main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
      { cwd: ROOT, stdio: 'inherit' },
    );
  }
  return DIST;
}
