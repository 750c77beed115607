#!/usr/bin/env node
// `npm start`: build when dist/ is missing or older than the sources, then run the gateway in
// this process (so signals reach it directly, as `node dist/main.js` does in the container).
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const main = join(root, 'dist', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const src = join(root, 'src');
// In the container only dist/ exists: nothing to build there.
if (existsSync(src) && (!existsSync(main) || statSync(main).mtimeMs < newestSource(src))) {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
}
require(main);
