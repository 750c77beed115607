import { CUE_GROUP_NAMES, type CueGroup } from './cue-lexicon';
import { GROUP_COUNT, GROUP_INDEX } from './cue-table';
import { EMPTY_VECTOR, ScanBuffers, dotSparse, type SparseVector } from './scan-buffers';
import { ResultSlab } from './result-slab';
import { scanText, type ScanRequest } from './text-scanner';

/**
 * Text → features, shared by every scoring classifier and by the offline tools.
 *
 * Work is bounded whatever the request's size: a text is examined through its first
 * {@link FEATURE_LIMITS.latestHead} and last {@link FEATURE_LIMITS.latestTail} characters (a
 * 1 MB prompt costs what a 1.5 KB prompt costs; its full length is still a feature). Each text is
 * read in one linear pass over its characters with table lookups and integer hashing
 * ({@link scanText}): no regular expressions, no per-token strings. The task is stated at the
 * start or the end of a long prompt; the middle is material.
 *
 * Changing anything here changes what the learned model sees: bump
 * {@link FEATURE_SPEC_VERSION} and retrain (`npm run train:classifier`).
 */
export const FEATURE_SPEC_VERSION = 'tiergate-features/8';

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
  blocks: 64,
} as const;

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
  'material_reasoning',
] as const;
export type ContentFeature = (typeof CONTENT_FEATURES)[number];

/** Lexicon groups that are read by other features, not given one of their own. */
const UNSCORED_GROUPS: readonly CueGroup[] = ['numberWord', 'topicSwitch'];

/** `codeTask` → `cue_code_task`. */
export function cueFeatureName(group: CueGroup): string {
  return `cue_${group.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

const SCORED_GROUPS = CUE_GROUP_NAMES.filter((g) => !UNSCORED_GROUPS.includes(g));
/**
 * Their counters' positions, read by index in `analyse`: a lookup by name there is a megamorphic
 * keyed load per group (19 a decision).
 */
const SCORED_INDEXES = Int32Array.from(SCORED_GROUPS, (g) => GROUP_INDEX[g]);
/** The groups `analyse` reads by name, as constants for the same reason. */
const {
  ask: ASK,
  code: CODE,
  codeTask: CODE_TASK,
  debug: DEBUG,
  numberWord: NUMBER_WORD,
} = GROUP_INDEX;
// The cue features follow the lexicon's groups, in order; a mismatch is a programming error.
{
  const expected = SCORED_GROUPS.map(cueFeatureName);
  const actual = CONTENT_FEATURES.filter((f) => f.startsWith('cue_'));
  if (expected.join() !== actual.join())
    throw new Error('CONTENT_FEATURES and CUE_GROUPS disagree');
}

/** Weights of the hashed n-grams, one table per group (the learned model's). */
export interface NgramWeights {
  words: Float32Array;
  chars: Float32Array;
}

export interface TextFeatures {
  /** Characters of the whole text (the part examined may be shorter). */
  length: number;
  /** Values of {@link CONTENT_FEATURES}, each roughly in 0..1. */
  values: Float64Array;
  /**
   * Word unigrams and bigrams (numbers folded to one token) outside material blocks (a long
   * block beside a shorter one): sublinear tf, L2-normalised.
   */
  words: SparseVector;
  /**
   * Character trigrams (digits folded to `0`, whitespace collapsed) outside material blocks:
   * tf / √(trigrams).
   */
  chars: SparseVector;
  /** Raw cue hits per group, outside quoted passages. */
  cues: Int32Array;
  /** The n-gram groups' dot products with the weights given to {@link analyseText}. */
  ngramScore?: { weights: NgramWeights; words: number; chars: number };
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

/** The examined part of a long text: its head and its tail, joined by a blank line. */
export function capText(text: string, head: number, tail = 0): string {
  // `+ 2`: an excerpt made by this function is not cut again.
  if (text.length <= head + tail + (tail > 0 ? 2 : 0)) return text;
  // Joined rather than concatenated: a concatenation is a cons string, which each of the scan's
  // character reads has to unwrap (a third slower per character, V8 11); a join is flat.
  return tail > 0
    ? [text.slice(0, head), text.slice(text.length - tail)].join('\n\n')
    : text.slice(0, head);
}

/** Extra characters a Han or kana character counts for in the length features. */
const SOLO_WEIGHT = 2;

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
/** Saturating count: 0, 0.5, 0.67, 0.75… so that repetition weighs less than presence. */
export const sat = (x: number, k = 1): number => x / (x + k);

/** Cue groups of asks that need several steps (`material_reasoning` looks for them). */
const REASONING_GROUPS = (
  [
    'proof',
    'stepwise',
    'math',
    'ask',
    'debug',
    'design',
    'constraints',
    'logic',
    'estimate',
  ] as const
).map((g) => GROUP_INDEX[g]);

/**
 * Reasoning cue hits of the ask beside a passage: of the first and the last block that are not
 * passage, the shorter (the task is stated at the start or the end; the other is a stray piece
 * of the material, such as a short first paragraph of notes).
 */
function askReasoning(buf: ScanBuffers, n: number): number {
  const start = buf.blockStart;
  let last = 0;
  while (last + 1 < buf.maxBlocks && start[last + 1] < n) last++;
  let ask = -1;
  if (buf.blockPassage[0] === 0) ask = 0;
  if (
    buf.blockPassage[last] === 0 &&
    (ask < 0 || n - start[last] <= (last === 0 ? n : start[1]) - start[0])
  )
    ask = last;
  if (ask < 0) return 0;
  let hits = 0;
  const base = ask * GROUP_COUNT;
  for (const g of REASONING_GROUPS) hits += buf.blockCues[base + g];
  return hits;
}

/** The scan request of each weight table, made once (there is one table per loaded model). */
const SCORING_REQUESTS = new WeakMap<NgramWeights, ScanRequest>();
function scoringRequest(weights: NgramWeights): ScanRequest {
  let request = SCORING_REQUESTS.get(weights);
  if (!request) {
    request = { materialise: false, charWeights: weights.chars };
    SCORING_REQUESTS.set(weights, request);
  }
  return request;
}

/** The scanner's scratch space, shared by every call (classification is synchronous). */
const BUFFERS = new ScanBuffers(
  FEATURE_LIMITS.latestHead + FEATURE_LIMITS.latestTail + 8,
  FEATURE_LIMITS.blocks,
);

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
  const weights = options.weights ?? null;
  const materialise = options.ngrams !== false && weights === null ? true : options.ngrams === true;
  return analyse(input, options.length ?? input.length, weights, materialise, options.trace);
}

/** The serving path's call of {@link analyseText}: the same, without an options object. */
export function analyseScored(
  input: string,
  length: number,
  weights: NgramWeights | null,
): TextFeatures {
  return analyse(input, length, weights, false, undefined);
}

/** Where each text's values and cue counts are cut from (64 KB: about 160 texts a slab). */
const RESULTS = new ResultSlab(64 * 1024);

/** Scan requests of the paths that build nothing (reused: a request object per scan is garbage). */
const CUES_ONLY: ScanRequest = { materialise: false, charWeights: null };

/**
 * The cue hits of a text, and nothing else (a system prompt's): the scanner's own counters,
 * valid until the next scan.
 */
export function scanCues(input: string): Int32Array {
  const text = capText(input, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
  return scanText(text, BUFFERS, CUES_ONLY).cues;
}

function analyse(
  input: string,
  length: number,
  weights: NgramWeights | null,
  materialise: boolean,
  trace: Map<number, string> | undefined,
): TextFeatures {
  const text = capText(input, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
  const n = text.length;
  const buf = BUFFERS;
  let request: ScanRequest;
  if (materialise || trace) request = { materialise, charWeights: weights?.chars ?? null, trace };
  else if (weights) request = scoringRequest(weights);
  else request = CUES_ONLY;
  const st = scanText(text, buf, request);
  // The scan's counters are shared; the features keep their own cue counts.
  const cues = RESULTS.ints(st.cues.length);
  cues.set(st.cues);
  let words = EMPTY_VECTOR;
  let chars = EMPTY_VECTOR;
  let ngramScore: TextFeatures['ngramScore'];
  if (materialise) {
    words = buf.collectWords(st.wordGrams);
    chars = buf.collectChars(st.charGrams);
  }
  if (weights) {
    const wordDot = materialise
      ? dotSparse(weights.words, words)
      : buf.scoreWords(weights.words, st.wordGrams);
    const charDot = st.charTotal > 0 ? st.charDot / Math.sqrt(st.charTotal) : 0;
    ngramScore = { weights, words: wordDot, chars: charDot };
  } else if (!materialise) {
    buf.clearWords(st.wordGrams);
  }

  const values = RESULTS.floats(CONTENT_FEATURES.length);
  const numbers = st.taskNumbers + cues[NUMBER_WORD];
  const taskChars = Math.max(1, n - st.passageChars);
  const letters = st.latinLetters + st.otherLetters;
  const codeSignal = st.fences + st.indentedLines / 3 + (st.docChars > 0 ? 1 : 0);
  let v = 0;
  // A character of Chinese or Japanese says about what three of a spaced script do: the length
  // features read the text's length in those terms, so that a one-line Chinese puzzle is not
  // "short" where its English twin is not.
  const effective = length + SOLO_WEIGHT * st.soloChars;
  values[v++] = clamp01(Math.log2(1 + effective) / 13); // length
  values[v++] = clamp01((120 - effective) / 80); // short_prompt
  values[v++] = clamp01((Math.log2(1 + effective) - 9) / 3); // long_prompt
  values[v++] = n > 0 ? st.passageChars / n : 0; // passage
  values[v++] = clamp01(Math.log2(1 + st.lines) / 6); // lines
  values[v++] = clamp01(Math.log2(1 + st.sentences) / 5); // sentences
  values[v++] = Math.min(st.taskQuestions, 4) / 4; // questions
  values[v++] = clamp01((numbers - 2) / 4); // numbers: 3 or more quantities
  values[v++] = numbers === 1 || numbers === 2 ? 1 : 0; // few_numbers: one operation at most
  values[v++] = clamp01((numbers / Math.max(1, st.taskTokens)) * 5); // number_density
  values[v++] = // numeric_question: a question about two or more given quantities
    numbers >= 2 && (st.taskQuestions > 0 || cues[ASK] > 0) ? 1 : 0;
  values[v++] = clamp01((st.operators / taskChars) * 25); // operators
  values[v++] = sat(st.latexCommands + st.dollars / 2, 2); // latex
  values[v++] = clamp01((st.maxDepth - 1) / 4); // nesting
  values[v++] = sat(codeSignal); // code
  values[v++] = clamp01((st.codeSymbols / Math.max(1, n)) * 12); // code_symbols
  values[v++] = st.docChars > 0 ? clamp01((Math.log2(1 + st.specChars) - 6) / 4) : 0; // code_spec
  values[v++] = st.docChars > 0 ? clamp01((160 - st.specChars) / 100) : 0; // code_spec_short
  values[v++] = sat(st.examples); // code_examples
  values[v++] = // code_question: a question or a complaint about code
    codeSignal + st.codeSymbols / 10 >= 1 && (st.taskQuestions > 0 || cues[DEBUG] > 0) ? 1 : 0;
  // An ask to write code counts in full beside code or its vocabulary, half without.
  const codeContext = cues[CODE] > 0 || codeSignal > 0 ? 1 : 0.5;
  for (let s = 0; s < SCORED_INDEXES.length; s++) {
    const g = SCORED_INDEXES[s];
    const hits = cues[g];
    values[v++] = sat(g === CODE_TASK ? hits * codeContext : hits);
  }
  values[v++] = letters > 0 ? st.otherLetters / letters : 0; // nonlatin
  // material_reasoning: the passage's share again when the ask beside it asks for reasoning, so
  // that "a long passage means a reading task" (the passage feature) can be undone by the ask.
  values[v++] = st.passageChars > 0 && askReasoning(buf, n) > 0 ? st.passageChars / n : 0;
  return { length, values, words, chars, cues, ngramScore };
}

/** Index of a content feature by name (for tests and explanations). */
export const featureIndex = (name: ContentFeature): number => CONTENT_FEATURES.indexOf(name);
