import fc from 'fast-check';
import { ScanBuffers as ReferenceBuffers } from '../../../test/support/scan-reference/scan-buffers.reference';
import { scanText as referenceScan } from '../../../test/support/scan-reference/text-scanner.reference';
import { ScanBuffers } from './scan-buffers';
import { HASH_BUCKETS } from './text-tables';
import { scanText, type ScanRequest } from './text-scanner';

/**
 * The scan computes the features of a trained model: it may change how, never what. The
 * reference (the one-pass scan it replaced, kept in test/support) and the scanner must agree on
 * every count, every n-gram bucket in the same order, every weight sum to the bit, and every
 * traced n-gram name, for any text: any UTF-16 code units (lone surrogates included), emoji,
 * CJK, blank-line blocks beyond the block limit, code, docstrings and long inputs.
 */

/** Weights of every sign, a third of them zero (a trained table is sparse), as a model's are. */
function weightTable(seed: number): Float32Array {
  return new Float32Array(HASH_BUCKETS).map((_, i) =>
    i % 3 === 0 ? 0 : Math.sin(i * seed) * (i % 7 === 0 ? 1e-3 : 1),
  );
}
const WORD_WEIGHTS = weightTable(1.7);
const CHAR_WEIGHTS = weightTable(2.3);

const MAX_CHARS = 12_000;
const MAX_BLOCKS = 64;

type Buffers = ScanBuffers | ReferenceBuffers;
type Scanner = (text: string, buf: never, request: ScanRequest) => object;

/** Everything a scan leaves for its caller, read the way the features read it. */
function observe(
  scan: Scanner,
  buf: Buffers,
  text: string,
  mode: 'cues' | 'scored' | 'built' | 'both',
): Record<string, unknown> {
  const trace = mode === 'built' ? new Map<number, string>() : undefined;
  const request: ScanRequest = {
    materialise: mode === 'built' || mode === 'both',
    charWeights: mode === 'scored' || mode === 'both' ? CHAR_WEIGHTS : null,
    ...(trace ? { trace } : {}),
  };
  const st = scan(text, buf as never, request) as Record<string, unknown> & {
    cues: Int32Array;
    wordGrams: number;
    charGrams: number;
  };
  const seen: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(st))
    seen[key] = value instanceof Int32Array ? Array.from(value) : value;
  // The trigram count goes with the weight sum: the scan reports it only when weights are given
  // (the reference counted it whenever it built n-grams).
  if (request.charWeights === null) delete seen.charTotal;
  if (mode === 'cues') {
    buf.clearWords(st.wordGrams);
  } else if (mode === 'scored') {
    seen.wordScore = buf.scoreWords(WORD_WEIGHTS, st.wordGrams);
  } else {
    const words = buf.collectWords(st.wordGrams);
    const chars = buf.collectChars(st.charGrams);
    seen.words = [Array.from(words.buckets), Array.from(words.values)];
    seen.chars = [Array.from(chars.buckets), Array.from(chars.values)];
  }
  if (trace) seen.trace = [...trace.entries()].sort((a, b) => a[0] - b[0]);
  return seen;
}

const referenceBuffers = new ReferenceBuffers(MAX_CHARS, MAX_BLOCKS);
const buffers = new ScanBuffers(MAX_CHARS, MAX_BLOCKS);

function expectSameScan(text: string): void {
  for (const mode of ['cues', 'scored', 'built', 'both'] as const) {
    const expected = observe(referenceScan as Scanner, referenceBuffers, text, mode);
    const actual = observe(scanText as Scanner, buffers, text, mode);
    // Object.is: a sum must match to the bit (0 and -0 included), not approximately.
    for (const key of Object.keys(expected)) {
      if (typeof expected[key] === 'number')
        expect([key, Object.is(actual[key], expected[key])]).toEqual([key, true]);
    }
    expect(actual).toEqual(expected);
  }
  // Each scan leaves the counts at zero for the next one.
  expect(buffers.wordCounts.every((c) => c === 0)).toBe(true);
  expect(buffers.charCounts.every((c) => c === 0)).toBe(true);
}

const PASSAGE =
  'The committee met on Monday to review the regional budget. It heard reports from each ' +
  'office, compared them with the previous year, and noted that travel costs had risen while ' +
  'training costs had fallen; members asked for a clearer breakdown of the figures.';

const piece = fc.constantFrom(
  '\n\n',
  '\n',
  ' \n \n',
  '\t',
  '   ',
  '\r\n\r\n',
  '\u3000',
  '\u00a0',
  'Prove that ',
  'how many ',
  'step by step',
  'debug this',
  "don't ",
  'trade-off ',
  'O’Brien ',
  '1,200 ',
  '3.5',
  '-4 ',
  'x = 2 * (y + 3) / 4',
  '$\\frac{a}{b}$',
  '```ts\nconst x = [1, 2];\n```',
  '"""Return the sum.\n\n    >>> add(1, 2)\n    3\n    """',
  "'''doc'''",
  'Example: ',
  'For example, ',
  '>>> f(1)',
  '证明',
  '多少个',
  'ひらがなカタカナ',
  'ภาษาไทย',
  'Привет, мир! ',
  'ΑΒΓ δεζ ',
  'مرحبا؟',
  '。',
  '？',
  '😀👍🏽',
  '\ud83d',
  '\ude00',
  'Übrigens ',
  'ÀÉÎÕÜ ',
  '42 + 17 = ?',
  'Why? ',
  'thanks ',
  PASSAGE,
);

/** Any UTF-16 code units, lone surrogates and controls included. */
const codeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((codes) => String.fromCharCode(...codes));

const text = fc
  .array(fc.oneof(piece, piece, fc.string({ unit: 'binary', maxLength: 30 }), codeUnits), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

describe('the text scan, against the one-pass scan it replaced', () => {
  it('agrees on arbitrary text, in every mode (cues, scored, built, built and scored)', () => {
    fc.assert(
      fc.property(text, (t) => expectSameScan(t)),
      { numRuns: 400 },
    );
  });

  it('agrees on long texts: many blocks (past the block limit), material and passages', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 20, maxLength: 90 }), (parts) =>
        expectSameScan(parts.join('\n\n').slice(0, MAX_CHARS - 8)),
      ),
      { numRuns: 40 },
    );
  });

  it('agrees on the edge cases of blocks and the trigram stream', () => {
    for (const t of [
      '',
      ' ',
      '\n',
      '\n\n\n',
      'a',
      'ab',
      'a\n\nb',
      ' \n\n a',
      '\n\nx\n\n\n\ny\n\n',
      '  \t \n \n\t',
      `${PASSAGE}\n\n${PASSAGE}\n\nWhat?`,
      `Summarise:\n\n${'word '.repeat(400)}\n\n${PASSAGE}\n\nIn one line.`,
      'x\n\n'.repeat(100),
      '证'.repeat(500),
      '😀'.repeat(300),
      `${'1'.repeat(50)}\n\n${'a '.repeat(2000)}`,
      PASSAGE.repeat(40).slice(0, MAX_CHARS - 8),
    ])
      expectSameScan(t);
  });

  it('names a bucket that a word and a trigram share after the n-gram that came first', () => {
    // `axrn`'s unigram and the trigram `rn ` hash to one bucket: closed by the same space (the
    // trigram first), or the trigram later in the text (the word first).
    for (const t of ['axrn ', 'axrn. brn ', 'crwx and ikgb ', 'x\n\naxrn. brn ']) expectSameScan(t);
  });
});
