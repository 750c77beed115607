import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUE_GROUPS, CUE_GROUP_NAMES } from './cue-lexicon';
import { phraseTokens } from './features';

const DATA = join(__dirname, '../../../data/tiering');

/** Every user-turn text of a JSONL file (the prompt, or each user message of a conversation). */
function texts(file: string): string[] {
  return readFileSync(join(DATA, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      const row = JSON.parse(l) as {
        prompt?: string;
        messages?: { role: string; content: unknown }[];
      };
      const turns = (row.messages ?? [])
        .filter((m) => m.role === 'user' && typeof m.content === 'string')
        .map((m) => m.content as string);
      return row.prompt ? [row.prompt, ...turns] : turns;
    });
}

/** Token-hash sequences of texts, joined with a separator that no hash equals. */
const tokenStream = (all: readonly string[]): string =>
  all.map((t) => `|${phraseTokens(t).join(',')}|`).join('\n');

/** Whether the phrase's tokens occur, in order and adjacent, in the stream. */
const occursIn = (stream: string, phrase: string): boolean => {
  const key = phraseTokens(phrase).join(',');
  return (
    stream.includes(`|${key}|`) ||
    stream.includes(`|${key},`) ||
    stream.includes(`,${key},`) ||
    stream.includes(`,${key}|`)
  );
};

/** Lexicon entries that occur in a dev-set prompt but in no prompt of the training corpus. */
export function devOnlyEntries(
  devTexts: readonly string[],
  trainTexts: readonly string[],
): string[] {
  const dev = tokenStream(devTexts);
  const train = tokenStream(trainTexts);
  const out: string[] = [];
  for (const group of CUE_GROUP_NAMES) {
    for (const phrase of CUE_GROUPS[group]) {
      if (occursIn(dev, phrase) && !occursIn(train, phrase)) out.push(`${group}: ${phrase}`);
    }
  }
  return out;
}

describe('the cue lexicon’s provenance', () => {
  it('has no entry that occurs in a dev-set prompt but in no prompt of the training corpus', () => {
    expect(devOnlyEntries(texts('dev.jsonl'), texts('train.jsonl'))).toEqual([]);
  });

  it('would catch an entry taken from the dev set alone', () => {
    // 'lies den' opens the German reading-comprehension prompts of the dev set, and nothing else.
    const dev = ['Lies den folgenden Text und beantworte die Frage.'];
    const train = ['Fasse diesen Text zusammen.'];
    expect(occursIn(tokenStream(dev), 'lies den')).toBe(true);
    expect(occursIn(tokenStream(train), 'lies den')).toBe(false);
  });

  it('matches whole tokens in order, not substrings', () => {
    const stream = tokenStream(['Show that the prime factors differ.']);
    expect(occursIn(stream, 'show that')).toBe(true);
    expect(occursIn(stream, 'prime')).toBe(true);
    expect(occursIn(stream, 'that show')).toBe(false);
    expect(occursIn(stream, 'fact')).toBe(false);
  });
});
