import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/*
 * A tool imports what it needs from src/tools/public-api. That entry point must never reach the
 * tools module (its index or ToolsModule, which imports the built-in tools): a built-in tool
 * importing it would then load itself half-way and crash the boot with a circular import.
 */

const SRC = resolve(__dirname, '..');
const TOOLS = __dirname;
const INDEX = join(TOOLS, 'index.ts');

/** The gateway files `file` imports (type-only imports included), resolved to paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolveSource(dirname(file), name));
}

function resolveSource(from: string, specifier: string): string {
  const base = resolve(from, specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`cannot resolve ${specifier} from ${from}`);
}

/** Every file reachable from `entry` through relative imports. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  return seen;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const rel = (file: string): string => relative(SRC, file);

describe('src/tools/public-api (what a tool imports)', () => {
  it('reaches only the decorator and the tool interface, never the tools module', () => {
    expect([...closure(join(TOOLS, 'public-api.ts'))].map(rel).sort()).toEqual([
      'tools/gateway-tool.decorator.ts',
      'tools/gateway-tool.interface.ts',
      'tools/public-api.ts',
    ]);
  });

  it('exports the decorator at run time', async () => {
    const api = (await import('./public-api')) as Record<string, unknown>;
    expect(Object.keys(api)).toEqual(['GatewayTool']);
    expect(typeof api.GatewayTool).toBe('function');
  });

  it('is what every file inside src/tools uses: none imports the module index', () => {
    const offenders = sources(TOOLS)
      .filter((file) => file !== INDEX)
      .filter((file) => importsOf(file).includes(INDEX))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('is what every *.tool.ts in src uses: none imports the tools module index', () => {
    const tools = sources(SRC).filter((file) => file.endsWith('.tool.ts'));
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.filter((file) => importsOf(file).includes(INDEX)).map(rel)).toEqual([]);
  });
});
