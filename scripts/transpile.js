// A transpile-only build for `npm run demo`: each file on its own (`isolatedModules` is on, so
// the program is the one tsc emits; only decorator metadata differs in form: a reference is read
// through a `typeof X === "function" ? X : Object` guard that yields the same value), no type
// check, and only the files whose source is newer than their output. A cold build takes seconds where `tsc` takes a minute or more on two cores;
// `npm run build` and `npm run lint` still type-check everything.
'use strict';
const {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} = require('node:fs');
const { basename, dirname, join, relative, resolve } = require('node:path');
const ts = require('typescript');

/** The parsed tsconfig file `path`: its compiler options and file names. */
function readProject(path) {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  return { options: parsed.options, fileNames: parsed.fileNames };
}

/** `entries` and every file they reach through relative imports (`.ts` and `.json`). */
function importClosure(entries) {
  const seen = new Set();
  const queue = entries.map((entry) => resolve(entry));
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), fileName);
      const found = [base, `${base}.ts`, join(base, 'index.ts')].find(
        (candidate) => /\.(ts|json)$/.test(candidate) && existsSync(candidate),
      );
      if (!found) throw new Error(`${relative(process.cwd(), file)}: cannot resolve ${fileName}`);
      queue.push(found);
    }
  }
  return [...seen];
}

const newer = (source, output) =>
  !existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs;

/**
 * Writes `files` (`.ts` transpiled, `.json` copied) under `options.outDir`, mirroring their
 * place under `options.rootDir`, calling `onProgress(done, total)` after each file. Returns how
 * many were written and how many were up to date.
 */
function transpile(files, options, onProgress = () => undefined) {
  const rootDir = resolve(options.rootDir);
  const outDir = resolve(options.outDir);
  let written = 0;
  for (const [index, file] of files.entries()) {
    if (index > 0) onProgress(index, files.length);
    const path = relative(rootDir, file);
    if (path.startsWith('..')) throw new Error(`${file} is outside ${rootDir}`);
    const output = join(outDir, path.replace(/\.ts$/, '.js'));
    if (!newer(file, output)) continue;
    mkdirSync(dirname(output), { recursive: true });
    written++;
    if (file.endsWith('.json')) {
      copyFileSync(file, output);
      continue;
    }
    const result = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
      reportDiagnostics: true,
    });
    const errors = result.diagnostics ?? [];
    if (errors.length > 0) {
      throw new Error(
        ts.formatDiagnostics(errors, {
          getCanonicalFileName: (name) => name,
          getCurrentDirectory: () => process.cwd(),
          getNewLine: () => '\n',
        }),
      );
    }
    if (result.sourceMapText) {
      writeFileSync(`${output}.map`, result.sourceMapText);
      writeFileSync(output, result.outputText);
    } else {
      writeFileSync(output, result.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, '\n'));
    }
  }
  return { written, upToDate: files.length - written, name: basename(outDir) };
}

module.exports = { importClosure, readProject, transpile };
