#!/usr/bin/env node
// `npm run demo`: builds what the demo needs, saying what it does, then runs scripts/demo.ts in
// this very process, so that a signal sent to `npm run demo` (Ctrl-C, an IDE's or a process
// manager's SIGTERM) reaches the demo, which stops the gateway and waits for it.
'use strict';
const { join } = require('node:path');
const { importClosure, readProject, transpile } = require('./transpile');

const root = join(__dirname, '..');
const log = (line) => process.stdout.write(`[demo] ${line}\n`);

function step(what, run) {
  const started = Date.now();
  let reported = started;
  log(`${what} …`);
  // A line every two seconds, so a cold build on a busy machine never looks stuck.
  const progress = (done, total) => {
    if (Date.now() - reported < 2000) return;
    reported = Date.now();
    log(`  ${done}/${total} files`);
  };
  const { written, upToDate, name } = run(progress);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(`  ${name}/: ${written} written, ${upToDate} up to date (${seconds} s)`);
}

try {
  // The gateway into dist/, as `npm run build` lays it out (main.js finds ../package.json),
  // with the JSON files its sources import (tsc copies those too).
  const gateway = readProject(join(root, 'tsconfig.build.json'));
  step('compiling the gateway (transpile only; `npm run build` type-checks)', (progress) =>
    transpile(importClosure(gateway.fileNames), gateway.options, progress),
  );
  // The demo script and the simulator it imports into .tools/, as tsconfig.tools.json does.
  const tools = readProject(join(root, 'tsconfig.tools.json'));
  step('compiling the demo and the simulator', (progress) =>
    transpile(importClosure([join(root, 'scripts', 'demo.ts')]), tools.options, progress),
  );
} catch (error) {
  process.stderr.write(
    `[demo] the build failed:\n${error instanceof Error ? error.message : error}\n`,
  );
  process.exit(1);
}
require(join(root, '.tools', 'scripts', 'demo.js'));
