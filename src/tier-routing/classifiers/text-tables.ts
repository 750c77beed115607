/**
 * The tokenizer's tables: a character class and a case fold for every UTF-16 code unit, and
 * the integer hashing every token, n-gram and cue key goes through. Built once at load; the
 * scanner ({@link ./text-scanner}) and the cue table ({@link ./cue-table}) read them.
 */

/** A separator: punctuation, symbols, ASCII controls. */
export const SEP = 0;
/** A letter of a script written with spaces between words. */
export const WORD = 1;
export const DIGIT = 2;
/** A character of a script written without spaces (Han, kana, Thai…): a token of its own. */
export const SOLO = 3;
export const SPACE = 4;
export const NEWLINE = 5;

/** Character class of each UTF-16 code unit. */
export const CLASS = new Uint8Array(65536);
/** Lower-case fold of each code unit (Latin, Latin-1, Greek, Cyrillic; `’` → `'`). */
export const FOLD = new Uint16Array(65536);
/** 1 for Latin letters (the `nonlatin` feature counts the others). */
export const LATIN = new Uint8Array(65536);
/**
 * The character-trigram stream's code unit for each code unit: digits `0`, whitespace a space,
 * the rest folded (a run of spaces is one space: the scan drops a space after a space).
 */
export const STREAM = new Uint16Array(65536);

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
  for (let c = 0; c < 65536; c++)
    STREAM[c] = CLASS[c] === DIGIT ? 0x30 : CLASS[c] >= SPACE ? 0x20 : FOLD[c];
})();

// ---------------------------------------------------------------------------------------------
// Hashing: FNV-1a over folded UTF-16 code units, finished with a murmur3 mix; fixed seeds.

/**
 * As a signed 32-bit integer: every use goes through 32-bit operations, so the value is the
 * same, and a hash that starts as a double (0x811c9dc5 is past 2^31) made V8 keep the running
 * hash of the word loop as a double, converting it at every character.
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
/** Every number is the same token. */
export const NUMBER_TOKEN = 0x2a4e554d;
export const SEED_WORD = 0x3c6ef372;
export const SEED_BIGRAM = 0x5bd1e995;
export const SEED_CHAR = 0x27d4eb2f;
export const CUE_TRIGRAM = 0x61c88647;

/** Hashed n-grams share one space of 2^16 buckets (small enough to stay in cache). */
export const HASH_BITS = 16;
export const HASH_BUCKETS = 1 << HASH_BITS;
export const HASH_MASK = HASH_BUCKETS - 1;

/** murmur3's finaliser. Returns a signed 32-bit integer: a small integer to V8, never boxed. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export const pairKey = (a: number, b: number, seed: number): number =>
  mix(Math.imul(a ^ seed, 0x9e3779b1) ^ b);

/** `'` and `-` join letters into one word (`don't`, `trade-off`). */
export function isJoiner(text: string, i: number, c: number): boolean {
  if (c !== 0x27 && c !== 0x2d && c !== 0x2019) return false;
  const next = i + 1 < text.length ? CLASS[text.charCodeAt(i + 1)] : SEP;
  return next === WORD;
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

/** The key of a cue phrase of one to three tokens in the cue table (null when longer). */
export function phraseKey(tokens: readonly number[]): number | null {
  if (tokens.length === 1) return tokens[0];
  if (tokens.length === 2) return pairKey(tokens[0], tokens[1], SEED_BIGRAM);
  if (tokens.length === 3)
    return pairKey(pairKey(tokens[0], tokens[1], CUE_TRIGRAM), tokens[2], CUE_TRIGRAM);
  return null;
}
