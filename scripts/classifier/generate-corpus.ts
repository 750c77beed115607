/**
 * `npm run corpus:classifier [-- --seed n --out data/tiering/train.jsonl]`: writes the training
 * corpus from the template families of `scripts/classifier/corpus/` and prints its make-up.
 */
import { writeFileSync } from 'node:fs';
import { args, num, table } from './cli';
import { buildCorpus } from './corpus/build';

export const CORPUS_SEED = 20261207;
export const TRAIN_FILE = 'data/tiering/train.jsonl';

function main(): void {
  const opts = args({ seed: 'string', out: 'string' });
  const out = (opts.out as string | undefined) ?? TRAIN_FILE;
  const rows = buildCorpus(num(opts.seed, CORPUS_SEED));
  writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const count = (key: (r: (typeof rows)[number]) => string) => {
    const m = new Map<string, { instant: number; thinking: number }>();
    for (const r of rows) {
      const c = m.get(key(r)) ?? { instant: 0, thinking: 0 };
      c[r.label]++;
      m.set(key(r), c);
    }
    return [...m.entries()]
      .sort()
      .map(([k, c]) => [k, c.instant, c.thinking, c.instant + c.thinking]);
  };
  console.log(`wrote ${rows.length} rows to ${out}`);
  console.log(
    table(
      ['kind', 'instant', 'thinking', 'total'],
      count((r) => r.kind),
    ),
  );
  console.log('');
  console.log(
    table(
      ['lang', 'instant', 'thinking', 'total'],
      count((r) => r.lang),
    ),
  );
  const multi = rows.filter(
    (r) => (r.messages ?? []).filter((m) => m.role === 'user').length > 1,
  ).length;
  const system = rows.filter((r) => r.messages?.[0]?.role === 'system').length;
  const tools = rows.filter((r) => r.tools).length;
  console.log(
    `\nmulti-turn ${multi}, with a system prompt ${system}, with tools ${tools}, families ${new Set(rows.map((r) => r.family)).size}`,
  );
}

main();
