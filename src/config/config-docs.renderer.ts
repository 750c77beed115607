import type { ConfigNode, SectionNode } from './config-key.builders';
import { camelToSnake } from './config-keys.normalizer';

/** One row of a key table: what docs/configuration.md says about one key. */
export interface KeyRow {
  key: string;
  values: string;
  default: string;
  variable: string;
  meaning: string;
}

const HEADER: KeyRow = {
  key: 'key',
  values: 'values',
  default: 'default',
  variable: 'variable',
  meaning: 'meaning',
};
const COLUMNS = Object.keys(HEADER) as (keyof KeyRow)[];

/** The rows of every key under `node`, in declaration order; `prefix` is its YAML path. */
export function keyRows(node: ConfigNode, prefix: string): KeyRow[] {
  const rows: KeyRow[] = [];
  const walk = (current: ConfigNode, path: string): void => {
    switch (current.kind) {
      case 'leaf':
        rows.push(rowOf(current, path));
        return;
      case 'section':
        for (const [key, child] of Object.entries(current.shape)) {
          walk(child, `${path}.${camelToSnake(key)}`);
        }
        return;
      case 'list':
        walk(current.element, `${path}[]`);
        return;
      case 'map':
        // A map documented as a whole (an alias's shorthand) gets a row of its own.
        if (current.docs.doc !== undefined)
          rows.push(rowOf(current, `${path}.${current.placeholder}`));
        walk(current.element, `${path}.${current.placeholder}`);
        return;
    }
  };
  walk(node, prefix);
  return rows;
}

function rowOf(node: ConfigNode, path: string): KeyRow {
  const { docs } = node;
  return {
    key: `\`${path}\``,
    values: docs.values,
    default: docs.defaultDoc ?? defaultText(node),
    variable: docs.envDoc ?? (node.env ? `\`${node.env.variable}\`` : '—'),
    meaning: docs.doc ?? '',
  };
}

function defaultText(node: ConfigNode): string {
  if (node.makeDefault) {
    const value: unknown = node.makeDefault();
    // A map of names (pools, aliases) starts empty: there are none until configured.
    if (value instanceof Map) return 'none';
    return `\`${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}\``;
  }
  return node.optional ? 'none' : '—';
}

/** A Markdown table laid out as Prettier lays it out, so the checked-in docs stay formatted. */
export function renderTable(rows: readonly KeyRow[]): string {
  const all = [HEADER, ...rows];
  const widths = COLUMNS.map((column) => Math.max(3, ...all.map((row) => row[column].length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  return [
    line(COLUMNS.map((column) => HEADER[column])),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row) => line(COLUMNS.map((column) => row[column]))),
  ].join('\n');
}

const BLOCK = /<!-- config-keys: ([a-z_]+) [^>]*-->\n[\s\S]*?<!-- \/config-keys -->/g;

const block = (section: string, table: string): string =>
  `<!-- config-keys: ${section} (generated from src/config/keys by npm run docs:config) -->\n\n` +
  `${table}\n\n<!-- /config-keys -->`;

/**
 * docs/configuration.md with every generated key table brought up to date: each top-level
 * section's table between its `<!-- config-keys: <section> … -->` markers is rendered again from
 * the declaration, and a section that has no table yet gets a heading and one at the end.
 *
 * @throws when the file has a table for a section the declaration no longer has.
 */
export function updateKeyTables(markdown: string, root: SectionNode): string {
  const sections = Object.keys(root.shape).map(camelToSnake);
  const tableOf = (section: string): string => {
    const key = Object.keys(root.shape).find((name) => camelToSnake(name) === section);
    if (key === undefined) {
      throw new Error(
        `docs/configuration.md has a key table for "${section}", which is not declared`,
      );
    }
    return renderTable(keyRows(root.shape[key], section));
  };
  const seen = new Set<string>();
  let out = markdown.replace(BLOCK, (_match, section: string) => {
    seen.add(section);
    return block(section, tableOf(section));
  });
  for (const section of sections.filter((name) => !seen.has(name))) {
    out = `${out.trimEnd()}\n\n## \`${section}\`\n\n${block(section, tableOf(section))}\n`;
  }
  return out;
}
