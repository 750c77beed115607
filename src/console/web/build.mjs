// Builds the console (`npm run build`): esbuild bundles the page's code with Preact and uPlot,
// minified, into dist/console/public/ with content-hashed asset names, writes index.html naming
// them, and prints the bundle's size raw and gzipped. Nothing is fetched at run time.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'console', 'public');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(here, 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(here, 'tsconfig.json'),
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

const files = Object.keys(result.metafile.outputs).map((file) => resolve(root, file));
const named = (ext) => {
  const file = files.find((f) => f.endsWith(ext));
  if (!file) throw new Error(`the console build wrote no ${ext} file`);
  return basename(file);
};
const script = named('.js');
const style = named('.css');
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Tiergate console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/console/assets/${style}" />
    <script type="module" src="/console/assets/${script}"></script>
  </head>
  <body>
    <div id="app"></div>
    <noscript>The Tiergate console needs JavaScript.</noscript>
  </body>
</html>
`,
);

const sizes = [script, style, 'index.html'].map((name) => {
  const body = readFileSync(name === 'index.html' ? join(out, name) : join(out, 'assets', name));
  return { name, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
});
const total = sizes.reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip }), {
  raw: 0,
  gzip: 0,
});
for (const s of sizes) console.log(`console: ${s.name} ${s.raw} B raw, ${s.gzip} B gzip`);
console.log(`console: total ${total.raw} B raw, ${total.gzip} B gzip -> ${out}`);
