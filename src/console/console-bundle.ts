import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';

/** One file of the built console, held in memory (the whole bundle is tens of kilobytes). */
export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** The built console: its page and its assets by file name (no paths, so nothing to traverse). */
export interface ConsoleBundle {
  dir: string;
  page: ConsoleFile | undefined;
  assets: ReadonlyMap<string, ConsoleFile>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The folder `npm run build` writes the console to. Compiled, this file is `dist/console/` and
 * the bundle sits beside it in `public/`; run from source (ts-jest) it is `src/console/`, and the
 * bundle is the built one under `dist/`.
 */
export function defaultConsoleDir(here: string = __dirname): string {
  const beside = join(here, 'public');
  return existsSync(beside) ? beside : join(here, '..', '..', 'dist', 'console', 'public');
}

/** Reads the bundle once, at boot; a missing folder gives a bundle without a page. */
export function loadConsoleBundle(dir: string): ConsoleBundle {
  const assets = new Map<string, ConsoleFile>();
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const entry of readdirSync(assetDir, { withFileTypes: true })) {
      const type = CONTENT_TYPES[extname(entry.name)];
      if (entry.isFile() && type) assets.set(entry.name, fileOf(join(assetDir, entry.name), type));
    }
  }
  const index = join(dir, 'index.html');
  const page = existsSync(index) ? fileOf(index, CONTENT_TYPES['.html']) : undefined;
  return { dir, page, assets };
}

function fileOf(path: string, contentType: string): ConsoleFile {
  const body = readFileSync(path);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, contentType, etag };
}
