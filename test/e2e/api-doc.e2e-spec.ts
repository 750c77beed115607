import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeErrorCode, ErrorCode } from '../../src/common/errors';
import { startStack, type Stack } from './harness';

/*
 * docs/api.md is the project's API reference (the README and every guide point to it): it must
 * name every route the application serves and every error code with its status and type, and
 * the links of the docs must lead somewhere.
 */

const ROOT = join(__dirname, '..', '..');
const API = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');

/** The `## n. Title` section of api.md. */
function section(n: number): string {
  const start = API.indexOf(`\n## ${n}. `);
  const end = API.indexOf('\n## ', start + 1);
  return API.slice(start, end === -1 ? undefined : end);
}

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const adr = join(docs, 'adr');
  return [
    join(ROOT, 'README.md'),
    ...readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(docs, f)),
    ...readdirSync(adr)
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(adr, f)),
  ];
}

/** GitHub's anchor of a heading. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('docs/api.md', () => {
  it.each(Object.values(ErrorCode))('§6 lists %s with its status and type', (code) => {
    const { status, type } = describeErrorCode(code);
    const row = section(6)
      .split('\n')
      .find((line) => line.startsWith('|') && line.includes(`\`${code}\``));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${status} `);
    expect(row).toContain(`\`${type}\``);
  });

  describe('§5 and the routes the application serves', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(() => stack.close());

    it('names every route of the OpenAPI description', async () => {
      const doc = (await (await fetch(`${stack.url}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map(
          (method) => `${method.toUpperCase()} ${path.replace(/\/\{(\*|path)\}$/, '/{id}')}`,
        ),
      );
      expect(routes.length).toBeGreaterThan(10);
      const endpoints = section(5);
      expect(routes.filter((route) => !endpoints.includes(route))).toEqual([]);
    });
  });

  it('is what the README and the docs cite: no SPEC.md, no "SPEC §", and every relative link resolves', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = readFileSync(file, 'utf8');
      if (/SPEC\.md|SPEC §/.test(text)) broken.push(`${file}: cites SPEC`);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const linked = path === '' ? file : resolve(dirname(file), path);
        if (!existsSync(linked)) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && linked.endsWith('.md')) {
          const headings = [...readFileSync(linked, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
            anchorOf(m[1]),
          );
          if (!headings.includes(anchor)) broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
