import type { ChatMessage } from '../../common/openai/chat.types';
import { CUE_GROUPS, CUE_GROUP_NAMES, type CueGroup } from './cue-lexicon';
import type { ClassificationInput } from './tier-classifier.interface';

/**
 * Conversation → features, shared by every scoring classifier and by the offline tools.
 *
 * Work is bounded whatever the request's size: the latest user turn is examined through its
 * first {@link FEATURE_LIMITS.latestHead} and last {@link FEATURE_LIMITS.latestTail}
 * characters (a 1 MB prompt costs what a 1.5 KB prompt costs; its full length is still a
 * feature), the system prompt and earlier turns through their first
 * {@link FEATURE_LIMITS.contextChars}, and only the last {@link FEATURE_LIMITS.messagesScanned}
 * messages are walked. Each text is read in one linear pass over its characters with table
 * lookups and integer hashing: no regular expressions, no per-token strings. The task is stated
 * at the start or the end of a long prompt; the middle is material.
 *
 * Changing anything here changes what the learned model sees: bump
 * {@link FEATURE_SPEC_VERSION} and retrain (`npm run train:classifier`).
 */
export const FEATURE_SPEC_VERSION = 'tiergate-features/1';

const MAX_BLOCKS = 64;

export const FEATURE_LIMITS = {
  latestHead: 1024,
  latestTail: 512,
  contextChars: 2048,
  priorTurns: 3,
  messagesScanned: 64,
  /** Content parts of one message read at most (a part can be large; each is capped anyway). */
  partsScanned: 256,
  /** A latest turn this short, after earlier user turns, is a follow-up. */
  followUpChars: 160,
  /** Blocks (blank-line separated) tracked per text; later blocks merge into the last one. */
  blocks: MAX_BLOCKS,
} as const;

// Module-local copies: an exported const compiles to a property load on `exports` in hot loops.
const BITS = 16;
const HASH_MASK = (1 << BITS) - 1;
/** Hashed n-grams share one space of 2^16 buckets (small enough to stay in cache). */
export const HASH_BITS = BITS;
export const HASH_BUCKETS = 1 << BITS;

/** Rule features of one text, in a fixed order (the learned model's dense inputs). */
export const CONTENT_FEATURES = [
  'length',
  'short_prompt',
  'long_prompt',
  'passage',
  'lines',
  'sentences',
  'questions',
  'numbers',
  'few_numbers',
  'number_density',
  'numeric_question',
  'operators',
  'latex',
  'nesting',
  'code',
  'code_symbols',
  'code_spec',
  'code_spec_short',
  'code_examples',
  'code_question',
  'cue_proof',
  'cue_stepwise',
  'cue_math',
  'cue_ask',
  'cue_quantity',
  'cue_code_task',
  'cue_code',
  'cue_debug',
  'cue_design',
  'cue_constraints',
  'cue_logic',
  'cue_greeting',
  'cue_rewrite',
  'cue_extract',
  'cue_lookup',
  'cue_creative',
  'cue_roleplay',
  'cue_open',
  'cue_estimate',
  'nonlatin',
] as const;
export type ContentFeature = (typeof CONTENT_FEATURES)[number];

/** `codeTask` → `cue_code_task`. */
export function cueFeatureName(group: CueGroup): string {
  return `cue_${group.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

// The cue features follow the lexicon's groups, in order; a mismatch is a programming error.
{
  const expected = CUE_GROUP_NAMES.filter((g) => g !== 'numberWord').map(cueFeatureName);
  const actual = CONTENT_FEATURES.filter((f) => f.startsWith('cue_'));
  if (expected.join() !== actual.join())
    throw new Error('CONTENT_FEATURES and CUE_GROUPS disagree');
}

/** What the rest of the conversation says; applied on top of the latest turn's score. */
export const CONTEXT_FEATURES = [
  'context.system_reasoning',
  'context.system_direct',
  'context.tools',
  'context.tool_results',
  'context.depth',
  'context.prior_reasoning',
  'context.follow_up',
] as const;
export type ContextFeature = (typeof CONTEXT_FEATURES)[number];

/** Hashed n-grams and their values (each group's weighting is on {@link TextFeatures}). */
export interface SparseVector {
  buckets: Int32Array;
  values: Float32Array;
}

export interface TextFeatures {
  /** Characters of the whole text (the part examined may be shorter). */
  length: number;
  /** Values of {@link CONTENT_FEATURES}, each roughly in 0..1. */
  values: Float64Array;
  /** Word unigrams and bigrams (numbers folded to one token): sublinear tf, L2-normalised. */
  words: SparseVector;
  /** Character trigrams (digits folded to `0`, whitespace collapsed): tf / √(trigrams). */
  chars: SparseVector;
  /** Raw cue hits per group, outside quoted passages. */
  cues: Int32Array;
  /** The n-gram groups' dot products with the weights given to {@link analyseText}. */
  ngramScore?: { weights: NgramWeights; words: number; chars: number };
}

/** The parts of a conversation a classifier looks at, already capped. */
export interface ConversationView {
  /** The latest user turn as examined (head and tail when it is long). */
  latest: string;
  /** Characters of the whole latest user turn. */
  latestLength: number;
  /** System and developer prompts, capped. */
  system: string;
  /** Earlier user turns, most recent first, each capped. */
  prior: string[];
  /** User turns seen in the scanned window, the latest included. */
  userTurns: number;
  /** An earlier assistant turn carries reasoning text (a thinking model answered it). */
  priorReasoning: boolean;
  /** Tool results after the latest user turn (the tool loop is under way). */
  toolResults: number;
  toolsDeclared: number;
}

/** Everything the scoring classifiers need, computed once per request. */
export interface ConversationAnalysis {
  view: ConversationView;
  latest: TextFeatures;
  /** Values of {@link CONTEXT_FEATURES}. */
  context: Float64Array;
  followUp: boolean;
  /** Features of the earlier user turns (computed on first use, then kept). */
  prior(): readonly TextFeatures[];
}

// ---------------------------------------------------------------------------------------------
// Character tables, built once.

const SEP = 0;
const WORD = 1;
const DIGIT = 2;
/** A character of a script written without spaces (Han, kana, Thai…): a token of its own. */
const SOLO = 3;
const SPACE = 4;
const NEWLINE = 5;

const CLASS = new Uint8Array(65536);
const FOLD = new Uint16Array(65536);
const LATIN = new Uint8Array(65536);

(function buildTables(): void {
  for (let c = 0; c < 65536; c++) FOLD[c] = c;
  CLASS.fill(WORD, 0x80);
  for (let c = 0; c < 0x80; c++) CLASS[c] = SEP;
  for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
  for (let c = 0x41; c <= 0x5a; c++) {
    CLASS[c] = WORD;
    FOLD[c] = c + 32;
    LATIN[c] = 1;
    LATIN[c + 32] = 1;
  }
  for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = WORD;
  CLASS[0x20] = SPACE;
  CLASS[0x09] = SPACE;
  CLASS[0x0d] = SPACE;
  CLASS[0x0a] = NEWLINE;
  const ranges = (from: number, to: number, kind: number): void => {
    for (let c = from; c <= to; c++) CLASS[c] = kind;
  };
  ranges(0x80, 0xbf, SEP); // Latin-1 punctuation: « » ¿ ¡ …
  CLASS[0xa0] = SPACE;
  CLASS[0xd7] = SEP; // ×
  CLASS[0xf7] = SEP; // ÷
  ranges(0x2000, 0x200a, SPACE);
  ranges(0x200b, 0x206f, SEP); // general punctuation: “ ” — …
  ranges(0x2190, 0x23ff, SEP); // arrows, mathematical operators, technical symbols
  ranges(0x2500, 0x27bf, SEP); // box drawing, shapes, dingbats
  ranges(0x3000, 0x303f, SEP); // CJK punctuation
  CLASS[0x3000] = SPACE;
  ranges(0xff00, 0xff0f, SEP); // fullwidth punctuation
  ranges(0xff1a, 0xff20, SEP);
  ranges(0xff3b, 0xff40, SEP);
  ranges(0xff5b, 0xff65, SEP);
  ranges(0xd800, 0xdfff, SEP); // surrogates (emoji and rare scripts)
  ranges(0xe000, 0xf8ff, SEP); // private use
  CLASS[0x060c] = SEP; // Arabic comma
  CLASS[0x061b] = SEP;
  CLASS[0x061f] = SEP; // Arabic question mark
  CLASS[0x06d4] = SEP;
  CLASS[0x0964] = SEP; // Devanagari danda
  CLASS[0x0965] = SEP;
  ranges(0x0e00, 0x0e7f, SOLO); // Thai
  ranges(0x0e80, 0x0eff, SOLO); // Lao
  ranges(0x1000, 0x109f, SOLO); // Myanmar
  ranges(0x1780, 0x17ff, SOLO); // Khmer
  ranges(0x3040, 0x30ff, SOLO); // kana
  ranges(0x3400, 0x4dbf, SOLO); // Han
  ranges(0x4e00, 0x9fff, SOLO);
  ranges(0xf900, 0xfaff, SOLO);
  for (let c = 0xc0; c <= 0x24f; c++) if (CLASS[c] === WORD) LATIN[c] = 1;
  for (let c = 0xc0; c <= 0xde; c++) if (c !== 0xd7) FOLD[c] = c + 32;
  for (let c = 0x391; c <= 0x3a9; c++) FOLD[c] = c + 32; // Greek
  for (let c = 0x410; c <= 0x42f; c++) FOLD[c] = c + 32; // Cyrillic
  for (let c = 0x400; c <= 0x40f; c++) FOLD[c] = c + 0x50;
  FOLD[0x2019] = 0x27; // ’ → '
})();

// ---------------------------------------------------------------------------------------------
// Hashing: FNV-1a over folded UTF-16 code units, finished with a murmur3 mix; fixed seeds.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const NUMBER_TOKEN = 0x2a4e554d; // every number is the same token
const SEED_WORD = 0x3c6ef372;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_CHAR = 0x27d4eb2f;
const CUE_TRIGRAM = 0x61c88647;

/** murmur3's finaliser. Returns a signed 32-bit integer: a small integer to V8, never boxed. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const pairKey = (a: number, b: number, seed: number): number =>
  mix(Math.imul(a ^ seed, 0x9e3779b1) ^ b);

// ---------------------------------------------------------------------------------------------
// The cue table: open addressing over token hashes (unigram, bigram, trigram keys).

const CUE_TABLE_BITS = 12;
const CUE_TABLE_MASK = (1 << CUE_TABLE_BITS) - 1;
const CUE_KEYS = new Int32Array(1 << CUE_TABLE_BITS);
const CUE_MASKS = new Int32Array(1 << CUE_TABLE_BITS);
const CUE_USED = new Uint8Array(1 << CUE_TABLE_BITS);
const GROUP_COUNT = CUE_GROUP_NAMES.length;
const GROUP_INDEX = Object.fromEntries(CUE_GROUP_NAMES.map((g, i) => [g, i])) as Record<
  CueGroup,
  number
>;

function cueLookup(key: number): number {
  let slot = key & CUE_TABLE_MASK;
  while (CUE_USED[slot] === 1) {
    if (CUE_KEYS[slot] === (key | 0)) return CUE_MASKS[slot];
    slot = (slot + 1) & CUE_TABLE_MASK;
  }
  return 0;
}

function cueInsert(key: number, mask: number): void {
  let slot = key & CUE_TABLE_MASK;
  while (CUE_USED[slot] === 1) {
    if (CUE_KEYS[slot] === (key | 0)) {
      CUE_MASKS[slot] |= mask;
      return;
    }
    slot = (slot + 1) & CUE_TABLE_MASK;
  }
  CUE_USED[slot] = 1;
  CUE_KEYS[slot] = key | 0;
  CUE_MASKS[slot] = mask;
}

/** Token hashes of a short phrase, tokenised like any prompt. */
export function phraseTokens(phrase: string): number[] {
  const hashes: number[] = [];
  let h = FNV_OFFSET;
  let inWord = false;
  const flush = (): void => {
    if (inWord) hashes.push(mix(h));
    inWord = false;
    h = FNV_OFFSET;
  };
  for (let i = 0; i < phrase.length; i++) {
    const c = phrase.charCodeAt(i);
    const k = CLASS[c];
    if (k === WORD || (k === DIGIT && inWord) || (inWord && isJoiner(phrase, i, c))) {
      h = Math.imul(h ^ FOLD[c], FNV_PRIME);
      inWord = true;
    } else if (k === SOLO) {
      flush();
      hashes.push(mix(Math.imul(FNV_OFFSET ^ FOLD[c], FNV_PRIME)));
    } else if (k === DIGIT) {
      flush();
      hashes.push(NUMBER_TOKEN);
    } else {
      flush();
    }
  }
  flush();
  return hashes;
}

(function buildCueTable(): void {
  for (const group of CUE_GROUP_NAMES) {
    const mask = 1 << GROUP_INDEX[group];
    for (const phrase of CUE_GROUPS[group] as readonly string[]) {
      const t = phraseTokens(phrase);
      if (t.length === 1) cueInsert(t[0], mask);
      else if (t.length === 2) cueInsert(pairKey(t[0], t[1], SEED_BIGRAM), mask);
      else if (t.length === 3)
        cueInsert(pairKey(pairKey(t[0], t[1], CUE_TRIGRAM), t[2], CUE_TRIGRAM), mask);
      else throw new Error(`cue phrase '${phrase}' must be 1 to 3 tokens`);
    }
  }
})();

/** `>>>`, `Example…` or `For example…` at a line start: the examples of a docstring. */
function startsExamples(text: string, i: number): boolean {
  return (
    text.startsWith('>>>', i) ||
    text.startsWith('Example', i) ||
    text.startsWith('example', i) ||
    text.startsWith('For example', i) ||
    text.startsWith('for example', i)
  );
}

/** `'` and `-` join letters into one word (`don't`, `trade-off`). */
function isJoiner(text: string, i: number, c: number): boolean {
  if (c !== 0x27 && c !== 0x2d && c !== 0x2019) return false;
  const next = i + 1 < text.length ? CLASS[text.charCodeAt(i + 1)] : SEP;
  return next === WORD;
}

// ---------------------------------------------------------------------------------------------
// Scratch space, reused by every call (classification is synchronous and single-threaded).

const MAX_EXAMINED = FEATURE_LIMITS.latestHead + FEATURE_LIMITS.latestTail + 8;
const wordCounts = new Uint16Array(HASH_BUCKETS);
const charCounts = new Uint16Array(HASH_BUCKETS);
const wordTouched = new Int32Array(2 * MAX_EXAMINED + 8);
const charTouched = new Int32Array(MAX_EXAMINED + 8);
const blockStart = new Int32Array(FEATURE_LIMITS.blocks + 1);
const blockNumbers = new Int32Array(FEATURE_LIMITS.blocks);
const blockQuestions = new Int32Array(FEATURE_LIMITS.blocks);
const blockSentences = new Int32Array(FEATURE_LIMITS.blocks);
const blockCodeSymbols = new Int32Array(FEATURE_LIMITS.blocks);
const blockFence = new Uint8Array(FEATURE_LIMITS.blocks);
const blockPassage = new Uint8Array(FEATURE_LIMITS.blocks);
const blockTokens = new Int32Array(FEATURE_LIMITS.blocks);
const CHAR_DOT = new Float64Array(1);
const blockCues = new Int32Array(FEATURE_LIMITS.blocks * CUE_GROUP_NAMES.length);

/** The examined part of a long text: its head and its tail, joined by a blank line. */
export function capText(text: string, head: number, tail = 0): string {
  // `+ 2`: an excerpt made by this function is not cut again.
  if (text.length <= head + tail + (tail > 0 ? 2 : 0)) return text;
  return tail > 0
    ? `${text.slice(0, head)}\n\n${text.slice(text.length - tail)}`
    : text.slice(0, head);
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** Saturating count: 0, 0.5, 0.67, 0.75… so that repetition weighs less than presence. */
const sat = (x: number, k = 1): number => x / (x + k);

/** Weights of the hashed n-grams, one table per group (the learned model's). */
export interface NgramWeights {
  words: Float32Array;
  chars: Float32Array;
}

export interface AnalyseOptions {
  /** Characters of the whole text when `text` is already a capped excerpt. */
  length?: number;
  /** Build the n-gram vectors (training, explanations); the default. */
  ngrams?: boolean;
  /**
   * Score the n-grams against these weights during the scan, without building vectors: the
   * serving path. The result is the same dot product as over the vectors.
   */
  weights?: NgramWeights;
  /** Records each n-gram bucket's text, for explanations (slow path only). */
  trace?: Map<number, string>;
}

/** What one scan finds in a text. */
interface Scan {
  cues: Int32Array;
  wordGrams: number;
  charGrams: number;
  /** Σ weight over character-trigram occurrences, and their number (when weights are given). */
  charDot: number;
  charTotal: number;
  taskTokens: number;
  lines: number;
  indentedLines: number;
  operators: number;
  latexCommands: number;
  dollars: number;
  maxDepth: number;
  fences: number;
  examples: number;
  docChars: number;
  specChars: number;
  latinLetters: number;
  otherLetters: number;
  codeSymbols: number;
  passageChars: number;
  taskNumbers: number;
  taskQuestions: number;
  sentences: number;
}

/** Word-token state of a scan: fields, so the hot loop does not go through closure slots. */
class TokenState {
  wn = 0;
  prev1 = 0;
  prev2 = 0;
  /** Tokens since the last sentence break (n-grams and cues do not cross one). */
  chain = 0;
  /** Offset of the current block's cue counters in `blockCues`. */
  cueBase = 0;
  block = 0;
  prevText = '';

  constructor(
    private readonly ngrams: boolean,
    private readonly trace: Map<number, string> | undefined,
  ) {}

  emit(token: number, text: string, start: number, end: number): void {
    const chain = this.chain;
    // One bigram hash serves the n-gram bucket and the cue lookup.
    const bigramKey = chain > 0 ? pairKey(this.prev1, token, SEED_BIGRAM) : 0;
    if (this.ngrams) {
      const unigram = mix(token ^ SEED_WORD) & HASH_MASK;
      if (wordCounts[unigram]++ === 0) wordTouched[this.wn++] = unigram;
      let bigram = -1;
      if (chain > 0) {
        bigram = bigramKey & HASH_MASK;
        if (wordCounts[bigram]++ === 0) wordTouched[this.wn++] = bigram;
      }
      if (this.trace) this.traceWords(token, text, start, end, unigram, bigram);
    }
    blockTokens[this.block]++;
    let mask = cueLookup(token);
    if (chain > 0) {
      mask |= cueLookup(bigramKey);
      if (chain > 1)
        mask |= cueLookup(
          pairKey(pairKey(this.prev2, this.prev1, CUE_TRIGRAM), token, CUE_TRIGRAM),
        );
    }
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask);
      blockCues[this.cueBase + bit]++;
      mask &= ~(1 << bit);
    }
    this.prev2 = this.prev1;
    this.prev1 = token;
    this.chain = chain + 1;
  }

  private traceWords(
    token: number,
    text: string,
    start: number,
    end: number,
    unigram: number,
    bigram: number,
  ): void {
    const trace = this.trace as Map<number, string>;
    const t = token === NUMBER_TOKEN ? '<num>' : text.slice(start, end).toLowerCase();
    if (!trace.has(unigram)) trace.set(unigram, t);
    if (bigram >= 0 && !trace.has(bigram)) trace.set(bigram, `${this.prevText} ${t}`);
    this.prevText = t;
  }
}

function startBlock(b: number, at: number): void {
  blockStart[b] = at;
  blockNumbers[b] = 0;
  blockQuestions[b] = 0;
  blockSentences[b] = 0;
  blockCodeSymbols[b] = 0;
  blockFence[b] = 0;
  blockTokens[b] = 0;
  blockCues.fill(0, b * GROUP_COUNT, (b + 1) * GROUP_COUNT);
}

/**
 * One pass over the examined text: structure (blocks separated by blank lines, with numbers,
 * questions, sentences, code symbols and cue hits counted per block so that a quoted passage
 * does not speak for the task), word tokens with their cues, and the n-gram counts.
 */
function scanText(
  text: string,
  materialise: boolean,
  charWeights: Float32Array | null,
  trace: Map<number, string> | undefined,
): Scan {
  const cls = CLASS;
  const fold = FOLD;
  const counts = charCounts;
  const touched = charTouched;
  const n = text.length;
  const ngrams = materialise || charWeights !== null;
  const tok = new TokenState(ngrams, trace);
  CHAR_DOT[0] = 0;
  let charTotal = 0;
  startBlock(0, 0);
  let blocks = 1;
  let b = 0;
  let lines = n > 0 ? 1 : 0;
  let blankSinceNewline = false;
  let blockHasContent = false;
  let lineStart = true;
  let indent = 0;
  let indentedLines = 0;
  let operators = 0;
  let latexCommands = 0;
  let dollars = 0;
  let depth = 0;
  let maxDepth = 0;
  let fences = 0;
  let examples = 0;
  let docChars = 0;
  let specChars = 0;
  let inDoc = false;
  let inExamples = false;
  let latinLetters = 0;
  let otherLetters = 0;
  let codeSymbols = 0;
  let cn = 0;
  let h = FNV_OFFSET;
  let tokenStart = -1;
  let numberRun = false;
  let c1 = 0;
  let c2 = 0;
  let streamLen = 0;

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = cls[c];

    if (ngrams) {
      // Character stream for trigrams: digits → '0', whitespace runs → one space.
      const s = k === DIGIT ? 0x30 : k >= SPACE ? 0x20 : fold[c];
      if (s !== 0x20 || c2 !== 0x20 || streamLen === 0) {
        if (streamLen >= 2) {
          // Multiplicative hashing of the three code units; the top bits are the bucket.
          const bucket =
            (Math.imul(c1, 0x9e3779b1) ^
              Math.imul(c2, 0x85ebca6b) ^
              Math.imul(s ^ SEED_CHAR, 0xc2b2ae35)) >>>
            (32 - BITS);
          charTotal++;
          // Summed in a typed array: a double local here was boxed on every add (V8 11).
          if (charWeights !== null) CHAR_DOT[0] += charWeights[bucket];
          if (materialise) {
            if (counts[bucket]++ === 0) touched[cn++] = bucket;
            if (trace && !trace.has(bucket))
              trace.set(bucket, `'${String.fromCharCode(c1, c2, s)}'`);
          }
        }
        c1 = c2;
        c2 = s;
        streamLen++;
      }
    }

    // Words: letters (with digits and inner ' or - after the first letter), numbers, and one
    // token per character of scripts written without spaces.
    if (k === WORD) {
      if (tokenStart < 0) tokenStart = i;
      h = Math.imul(h ^ fold[c], FNV_PRIME);
    } else if (k === DIGIT) {
      if (tokenStart < 0) {
        tokenStart = i;
        numberRun = true;
        // A number starts at a digit not preceded by a letter or by another number's digits.
        const p = i > 0 ? text.charCodeAt(i - 1) : 0;
        if (!((p === 0x2e || p === 0x2c) && i > 1 && cls[text.charCodeAt(i - 2)] === DIGIT))
          blockNumbers[b]++;
      } else if (!numberRun) {
        h = Math.imul(h ^ c, FNV_PRIME);
      }
    } else {
      if (tokenStart >= 0) {
        let ends = true;
        if (numberRun) {
          // 1,200 and 3.5 are one number.
          ends = !(
            (c === 0x2e || c === 0x2c) &&
            i + 1 < n &&
            cls[text.charCodeAt(i + 1)] === DIGIT
          );
        } else if (isJoiner(text, i, c)) {
          h = Math.imul(h ^ fold[c], FNV_PRIME);
          ends = false;
        }
        if (ends) {
          tok.emit(numberRun ? NUMBER_TOKEN : mix(h), text, tokenStart, i);
          tokenStart = -1;
          numberRun = false;
          h = FNV_OFFSET;
        }
      }
      if (k === SOLO) tok.emit(mix(Math.imul(FNV_OFFSET ^ c, FNV_PRIME)), text, i, i + 1);
    }

    // Structure.
    if (k === NEWLINE) {
      lines++;
      tok.chain = 0;
      if (blankSinceNewline && blockHasContent && blocks < MAX_BLOCKS) {
        startBlock(blocks, i);
        b = blocks++;
        tok.block = b;
        tok.cueBase = b * GROUP_COUNT;
        blockHasContent = false;
      }
      blankSinceNewline = true;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (k === SPACE) {
      if (lineStart) indent += c === 0x09 ? 4 : 1;
      continue;
    }
    if (lineStart) {
      if (indent >= 4) indentedLines++;
      lineStart = false;
      // A docstring's specification ends where its examples begin.
      if (inDoc && !inExamples && startsExamples(text, i)) inExamples = true;
    }
    blankSinceNewline = false;
    blockHasContent = true;
    if (inDoc) {
      docChars++;
      if (!inExamples) specChars++;
    }
    if (k === WORD) {
      if (LATIN[c] === 1) latinLetters++;
      else otherLetters++;
    } else if (k === SOLO) {
      otherLetters++;
    } else if (k === SEP) {
      switch (c) {
        case 0x2b: // +
        case 0x2a: // *
        case 0x2f: // /
        case 0x3d: // =
        case 0x5e: // ^
        case 0x25: // %
        case 0xd7: // ×
        case 0xf7: // ÷
        case 0x2212: // −
        case 0x2264: // ≤
        case 0x2265: // ≥
          operators++;
          if (c === 0x3d || c === 0x2a) blockCodeSymbols[b]++;
          break;
        case 0x2d: // - before a digit is a minus sign
          if (i + 1 < n && cls[text.charCodeAt(i + 1)] === DIGIT) operators++;
          break;
        case 0x3c: // <
        case 0x3e: // >
          operators++;
          if (
            c === 0x3e &&
            i + 2 < n &&
            text.charCodeAt(i + 1) === 0x3e &&
            text.charCodeAt(i + 2) === 0x3e
          ) {
            examples++;
          }
          break;
        case 0x5c: // \command
          if (i + 1 < n && cls[text.charCodeAt(i + 1)] === WORD) latexCommands++;
          break;
        case 0x24: // $
          dollars++;
          break;
        case 0x28: // (
        case 0x5b: // [
        case 0x7b: // {
          codeSymbols++;
          blockCodeSymbols[b]++;
          if (++depth > maxDepth) maxDepth = depth;
          break;
        case 0x29:
        case 0x5d:
        case 0x7d:
          codeSymbols++;
          blockCodeSymbols[b]++;
          if (depth > 0) depth--;
          break;
        case 0x3b: // ;
        case 0x5f: // _
          codeSymbols++;
          blockCodeSymbols[b]++;
          break;
        case 0x60: // ```
          if (text.startsWith('```', i) && (i === 0 || text.charCodeAt(i - 1) !== 0x60)) {
            fences++;
            blockFence[b] = 1;
          }
          break;
        case 0x22: // """
        case 0x27: // '''
          if (
            i + 2 < n &&
            text.charCodeAt(i + 1) === c &&
            text.charCodeAt(i + 2) === c &&
            text.charCodeAt(i - 1) !== c
          ) {
            inDoc = !inDoc;
            inExamples = false;
          }
          break;
        case 0x3f: // ?
        case 0xff1f: // ？
        case 0x061f: // ؟
          blockQuestions[b]++;
          blockSentences[b]++;
          tok.chain = 0;
          break;
        case 0x2e: // .
        case 0x21: // !
          if (i + 1 >= n || cls[text.charCodeAt(i + 1)] >= SPACE) blockSentences[b]++;
          if (tokenStart < 0) tok.chain = 0;
          break;
        case 0x3002: // 。
        case 0xff01: // ！
          blockSentences[b]++;
          tok.chain = 0;
          break;
      }
    }
  }
  if (tokenStart >= 0) tok.emit(numberRun ? NUMBER_TOKEN : mix(h), text, tokenStart, n);
  blockStart[blocks] = n;

  // A passage is a long prose block (not code) beside a shorter instruction or question.
  let passageChars = 0;
  let shortest = -1;
  let proseBlocks = 0;
  for (let j = 0; j < blocks; j++) {
    const len = blockStart[j + 1] - blockStart[j];
    const prose =
      blocks > 1 && len >= 300 && blockFence[j] === 0 && blockCodeSymbols[j] < len * 0.04;
    blockPassage[j] = prose ? 1 : 0;
    if (prose) {
      proseBlocks++;
      passageChars += len;
      if (shortest < 0 || len < blockStart[shortest + 1] - blockStart[shortest]) shortest = j;
    }
  }
  if (proseBlocks === blocks && shortest >= 0) {
    // Every block is long prose: the shortest one is taken as the task.
    blockPassage[shortest] = 0;
    passageChars -= blockStart[shortest + 1] - blockStart[shortest];
  }
  const cues = new Int32Array(GROUP_COUNT);
  let taskNumbers = 0;
  let taskQuestions = 0;
  let taskTokens = 0;
  let sentences = 0;
  for (let j = 0; j < blocks; j++) {
    if (blockPassage[j] === 1) continue;
    taskNumbers += blockNumbers[j];
    taskQuestions += blockQuestions[j];
    taskTokens += blockTokens[j];
    sentences += blockSentences[j];
    for (let g = 0, base = j * GROUP_COUNT; g < GROUP_COUNT; g++) cues[g] += blockCues[base + g];
  }
  return {
    cues,
    wordGrams: tok.wn,
    charGrams: cn,
    charDot: CHAR_DOT[0],
    charTotal,
    taskTokens,
    lines,
    indentedLines,
    operators,
    latexCommands,
    dollars,
    maxDepth,
    fences,
    examples,
    docChars,
    specChars,
    latinLetters,
    otherLetters,
    codeSymbols,
    passageChars,
    taskNumbers,
    taskQuestions,
    sentences,
  };
}

/**
 * Rule features and hashed n-grams of one text.
 *
 * @example
 * ```ts
 * const f = analyseText('Prove that there are infinitely many primes.');
 * f.values[featureIndex('cue_proof')]; // 0.75 (three proof cues)
 * ```
 */
export function analyseText(input: string, options: AnalyseOptions = {}): TextFeatures {
  const text = capText(input, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
  const length = options.length ?? input.length;
  const n = text.length;
  const weights = options.weights ?? null;
  const materialise = options.ngrams !== false && weights === null ? true : options.ngrams === true;
  const st = scanText(text, materialise, weights ? weights.chars : null, options.trace);
  const cues = st.cues;
  let words = EMPTY;
  let chars = EMPTY;
  let ngramScore: TextFeatures['ngramScore'];
  if (materialise) {
    words = collectSublinear(wordCounts, wordTouched, st.wordGrams);
    chars = collectRaw(charCounts, charTouched, st.charGrams);
  }
  if (weights) {
    const wordDot = materialise
      ? dotSparse(weights.words, words)
      : scoreSublinear(weights.words, st.wordGrams);
    const charDot = st.charTotal > 0 ? st.charDot / Math.sqrt(st.charTotal) : 0;
    ngramScore = { weights, words: wordDot, chars: charDot };
  } else if (!materialise) {
    clearCounts(wordCounts, wordTouched, st.wordGrams);
  }

  const values = new Float64Array(CONTENT_FEATURES.length);
  const numbers = st.taskNumbers + cues[GROUP_INDEX.numberWord];
  const taskChars = Math.max(1, n - st.passageChars);
  const letters = st.latinLetters + st.otherLetters;
  const codeSignal = st.fences + st.indentedLines / 3 + (st.docChars > 0 ? 1 : 0);
  let v = 0;
  values[v++] = clamp01(Math.log2(1 + length) / 13); // length
  values[v++] = clamp01((120 - length) / 80); // short_prompt
  values[v++] = clamp01((Math.log2(1 + length) - 9) / 3); // long_prompt
  values[v++] = n > 0 ? st.passageChars / n : 0; // passage
  values[v++] = clamp01(Math.log2(1 + st.lines) / 6); // lines
  values[v++] = clamp01(Math.log2(1 + st.sentences) / 5); // sentences
  values[v++] = Math.min(st.taskQuestions, 4) / 4; // questions
  values[v++] = clamp01((numbers - 2) / 4); // numbers: 3 or more quantities
  values[v++] = numbers === 1 || numbers === 2 ? 1 : 0; // few_numbers: one operation at most
  values[v++] = clamp01((numbers / Math.max(1, st.taskTokens)) * 5); // number_density
  values[v++] = // numeric_question: a question about two or more given quantities
    numbers >= 2 && (st.taskQuestions > 0 || cues[GROUP_INDEX.ask] > 0) ? 1 : 0;
  values[v++] = clamp01((st.operators / taskChars) * 25); // operators
  values[v++] = sat(st.latexCommands + st.dollars / 2, 2); // latex
  values[v++] = clamp01((st.maxDepth - 1) / 4); // nesting
  values[v++] = sat(codeSignal); // code
  values[v++] = clamp01((st.codeSymbols / Math.max(1, n)) * 12); // code_symbols
  values[v++] = st.docChars > 0 ? clamp01((Math.log2(1 + st.specChars) - 6) / 4) : 0; // code_spec
  values[v++] = st.docChars > 0 ? clamp01((160 - st.specChars) / 100) : 0; // code_spec_short
  values[v++] = sat(st.examples); // code_examples
  values[v++] = // code_question: a question or a complaint about code
    codeSignal + st.codeSymbols / 10 >= 1 && (st.taskQuestions > 0 || cues[GROUP_INDEX.debug] > 0)
      ? 1
      : 0;
  // An ask to write code counts in full beside code or its vocabulary, half without.
  const codeContext = cues[GROUP_INDEX.code] > 0 || codeSignal > 0 ? 1 : 0.5;
  for (const group of CUE_GROUP_NAMES) {
    if (group === 'numberWord') continue;
    const hits = cues[GROUP_INDEX[group]];
    values[v++] = sat(group === 'codeTask' ? hits * codeContext : hits);
  }
  values[v++] = letters > 0 ? st.otherLetters / letters : 0; // nonlatin
  return { length, values, words, chars, cues, ngramScore };
}

const EMPTY: SparseVector = { buckets: new Int32Array(0), values: new Float32Array(0) };

/** Word n-grams: sublinear term frequency (1 + ln tf), L2-normalised; resets the counts. */
function collectSublinear(counts: Uint16Array, touched: Int32Array, count: number): SparseVector {
  const buckets = touched.slice(0, count);
  const values = new Float32Array(count);
  let norm = 0;
  for (let i = 0; i < count; i++) {
    const b = buckets[i];
    const tf = counts[b];
    const x = tf === 1 ? 1 : 1 + Math.log(tf);
    counts[b] = 0;
    values[i] = x;
    norm += x * x;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < count; i++) values[i] *= inv;
  }
  return { buckets, values };
}

/** The same vector's dot product with `weights`, without building it; resets the counts. */
function scoreSublinear(weights: Float32Array, count: number): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < count; i++) {
    const b = wordTouched[i];
    const tf = wordCounts[b];
    const x = tf === 1 ? 1 : 1 + Math.log(tf);
    wordCounts[b] = 0;
    dot += weights[b] * x;
    norm += x * x;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}

/** Character trigrams: term frequency over √(number of trigrams), so no dedup is needed to score. */
function collectRaw(counts: Uint16Array, touched: Int32Array, count: number): SparseVector {
  const buckets = touched.slice(0, count);
  const values = new Float32Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const b = buckets[i];
    values[i] = counts[b];
    total += counts[b];
    counts[b] = 0;
  }
  const inv = total > 0 ? 1 / Math.sqrt(total) : 0;
  for (let i = 0; i < count; i++) values[i] *= inv;
  return { buckets, values };
}

function clearCounts(counts: Uint16Array, touched: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) counts[touched[i]] = 0;
}

/** Σ weight × value over a sparse vector. */
export function dotSparse(weights: Float32Array, v: SparseVector): number {
  let s = 0;
  const b = v.buckets;
  const x = v.values;
  for (let i = 0; i < b.length; i++) s += weights[b[i]] * x[i];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Conversations.

/** The text of a message's content (string or content parts), capped to `head` + `tail`. */
export function messageText(
  content: ChatMessage['content'],
  head: number,
  tail = 0,
): { text: string; length: number } {
  if (typeof content === 'string')
    return { text: capText(content, head, tail), length: content.length };
  if (!Array.isArray(content)) return { text: '', length: 0 };
  const texts: string[] = [];
  let length = 0;
  const limit = Math.min(content.length, FEATURE_LIMITS.partsScanned);
  for (let i = 0; i < limit; i++) {
    const part = content[i];
    const t = part && typeof part.text === 'string' ? part.text : '';
    if (t.length === 0) continue;
    // Each part is capped before joining, so a huge part costs no copy.
    texts.push(capText(t, head, tail));
    length += t.length + 1;
  }
  return { text: capText(texts.join('\n'), head, tail), length: Math.max(0, length - 1) };
}

function carriesReasoning(message: ChatMessage): boolean {
  const r = message.reasoning_content ?? (message as { reasoning?: unknown }).reasoning;
  return typeof r === 'string' && r.length > 0;
}

/** The capped parts of a conversation that classification reads. */
export function viewConversation(input: ClassificationInput): ConversationView {
  const messages = input.messages;
  const last = messages.length - 1;
  const stop = Math.max(0, messages.length - FEATURE_LIMITS.messagesScanned);
  let latest = '';
  let latestLength = 0;
  let latestIndex = -1;
  let toolResults = 0;
  for (let i = last; i >= stop; i--) {
    const m = messages[i];
    if (m?.role === 'user') {
      const t = messageText(m.content, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
      latest = t.text;
      latestLength = t.length;
      latestIndex = i;
      break;
    }
    if (m?.role === 'tool' || m?.role === 'function') toolResults++;
  }
  const prior: string[] = [];
  let userTurns = latestIndex >= 0 ? 1 : 0;
  let priorReasoning = false;
  for (let i = latestIndex - 1; i >= stop; i--) {
    const m = messages[i];
    if (m?.role === 'user') {
      userTurns++;
      if (prior.length < FEATURE_LIMITS.priorTurns) {
        prior.push(messageText(m.content, FEATURE_LIMITS.contextChars).text);
      }
    } else if (m?.role === 'assistant' && carriesReasoning(m)) {
      priorReasoning = true;
    }
  }
  const system: string[] = [];
  for (
    let i = 0, budget = FEATURE_LIMITS.contextChars;
    i < Math.min(messages.length, 4) && budget > 0;
    i++
  ) {
    const m = messages[i];
    if (m?.role !== 'system' && m?.role !== 'developer') continue;
    const t = messageText(m.content, budget).text;
    system.push(t);
    budget -= t.length;
  }
  return {
    latest,
    latestLength,
    system: system.join('\n'),
    prior,
    userTurns,
    priorReasoning,
    toolResults,
    toolsDeclared: input.tools?.length ?? 0,
  };
}

const REASONING_GROUPS: readonly CueGroup[] = [
  'proof',
  'stepwise',
  'math',
  'ask',
  'code',
  'debug',
  'design',
  'logic',
];
const DIRECT_GROUPS: readonly CueGroup[] = [
  'rewrite',
  'extract',
  'greeting',
  'creative',
  'roleplay',
];
const sumGroups = (cues: Int32Array, groups: readonly CueGroup[]): number =>
  groups.reduce((s, g) => s + cues[GROUP_INDEX[g]], 0);

/**
 * Features of a whole request: the latest user turn's, and what the rest of the conversation
 * adds (system prompt, tools, depth, whether this turn follows up on earlier ones).
 */
export function analyseConversation(
  input: ClassificationInput,
  weights?: NgramWeights,
): ConversationAnalysis {
  const view = viewConversation(input);
  // With the learned model's weights the n-grams are scored during the scan; without (rules
  // only) they are skipped.
  const ngrams: AnalyseOptions = weights ? { weights } : { ngrams: false };
  const latest = analyseText(view.latest, { length: view.latestLength, ...ngrams });
  const system = view.system.length > 0 ? analyseText(view.system, { ngrams: false }).cues : null;
  const acknowledgement =
    latest.cues[GROUP_INDEX.greeting] > 0 &&
    latest.values[CONTENT_FEATURES.indexOf('questions')] === 0;
  const followUp =
    view.prior.length > 0 && view.latestLength <= FEATURE_LIMITS.followUpChars && !acknowledgement;
  const context = new Float64Array(CONTEXT_FEATURES.length);
  context[0] = system ? sat(sumGroups(system, REASONING_GROUPS)) : 0;
  context[1] = system ? sat(sumGroups(system, DIRECT_GROUPS)) : 0;
  context[2] = view.toolsDeclared > 0 ? 1 : 0;
  context[3] = sat(view.toolResults);
  context[4] = clamp01(Math.log2(Math.max(1, view.userTurns)) / 4);
  context[5] = view.priorReasoning ? 1 : 0;
  context[6] = followUp ? 1 : 0;
  let prior: TextFeatures[] | undefined;
  return {
    view,
    latest,
    context,
    followUp,
    prior: () => (prior ??= view.prior.map((t) => analyseText(t, ngrams))),
  };
}

/** Index of a content feature by name (for tests and explanations). */
export const featureIndex = (name: ContentFeature): number => CONTENT_FEATURES.indexOf(name);
