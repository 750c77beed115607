import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boolean, integer, namedMap, oneOf, section, text } from './config-key.builders';
import { keyRows, renderTable, updateKeyTables } from './config-docs.renderer';
import { GATEWAY_CONFIG_KEYS } from './gateway-config.keys';
import { envBoundKeys } from './env.overlay';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

describe('the configuration reference', () => {
  it('docs/configuration.md shows every declared key as declared (else: npm run docs:config)', () => {
    const markdown = read('docs/configuration.md');
    expect(updateKeyTables(markdown, GATEWAY_CONFIG_KEYS)).toBe(markdown);
  });

  it('.env.example lists every variable a key is bound to', () => {
    const example = read('.env.example');
    const missing = envBoundKeys()
      .map(({ env }) => env.variable)
      .filter((variable) => !new RegExp(`^#?\\s*${variable}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});

describe('keyRows', () => {
  const demo = section({
    port: integer(1, 10, { default: 5, env: 'DEMO_PORT', doc: 'the port' }),
    mode: oneOf(['a', 'b'] as const, { optional: true, values: 'a letter' }),
    name: text({ required: true }),
    nested: section({ fast: boolean({ default: false, defaultDoc: 'off' }) }),
    named: namedMap(section({ size: integer(0, 3, { default: 0 }) }), {
      placeholder: '<item>',
      doc: 'items by name',
    }),
  });

  it('gives each key its YAML path, values, default, variable and meaning', () => {
    expect(keyRows(demo, 'demo')).toEqual([
      {
        key: '`demo.port`',
        values: '1..10',
        default: '`5`',
        variable: '`DEMO_PORT`',
        meaning: 'the port',
      },
      { key: '`demo.mode`', values: 'a letter', default: 'none', variable: '—', meaning: '' },
      { key: '`demo.name`', values: 'string', default: '—', variable: '—', meaning: '' },
      { key: '`demo.nested.fast`', values: 'boolean', default: 'off', variable: '—', meaning: '' },
      {
        key: '`demo.named.<item>`',
        values: 'mapping',
        default: 'none',
        variable: '—',
        meaning: 'items by name',
      },
      {
        key: '`demo.named.<item>.size`',
        values: '0..3',
        default: '`0`',
        variable: '—',
        meaning: '',
      },
    ]);
  });

  it('lays the table out as Prettier does: every column padded to its widest cell', () => {
    const table = renderTable([
      { key: '`a.b`', values: 'x', default: '`1`', variable: '—', meaning: 'long meaning' },
    ]);
    expect(table.split('\n')).toEqual([
      '| key   | values | default | variable | meaning      |',
      '| ----- | ------ | ------- | -------- | ------------ |',
      '| `a.b` | x      | `1`     | —        | long meaning |',
    ]);
  });
});

describe('updateKeyTables', () => {
  const root = section({ alpha: section({ on: boolean({ default: true }) }) });

  it('renders the table between a section’s markers again and leaves the prose alone', () => {
    const stale =
      'Intro.\n\n<!-- config-keys: alpha (generated) -->\n\n| old |\n\n<!-- /config-keys -->\n\nOutro.\n';
    const updated = updateKeyTables(stale, root);
    expect(updated).toContain('| `alpha.on` | boolean | `true`  | —        |         |');
    expect(updated.startsWith('Intro.\n\n<!-- config-keys: alpha')).toBe(true);
    expect(updated.endsWith('<!-- /config-keys -->\n\nOutro.\n')).toBe(true);
    expect(updateKeyTables(updated, root)).toBe(updated);
  });

  it('appends a heading and a table for a section that has none yet', () => {
    const updated = updateKeyTables('# Reference\n', root);
    expect(updated).toMatch(/^# Reference\n\n## `alpha`\n\n<!-- config-keys: alpha /);
  });

  it('refuses a table of a section that is no longer declared', () => {
    expect(() =>
      updateKeyTables('<!-- config-keys: gone (x) -->\n\n<!-- /config-keys -->', root),
    ).toThrow('docs/configuration.md has a key table for "gone", which is not declared');
  });
});
