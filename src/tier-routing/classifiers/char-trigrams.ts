import type { ScanBuffers } from './scan-buffers';
import * as tables from './text-tables';

/** The tables' constants as this module's own (see `text-scanner.ts`: read once, not per use). */
const { HASH_BITS, SEED_CHAR, STREAM } = tables;

/**
 * The character trigrams of a scanned text: a pass of their own, run once the word pass has
 * found the blocks and which of them are material. The stream maps each code unit through
 * {@link STREAM} and drops a space after a space; from its third character on, each stream
 * character closes a trigram, counted in the block it lies in. The newline that opens a block
 * belongs to the block before it, so block `b` spans the characters after `blockStart[b]` up to
 * and including `blockStart[b + 1]` (block 0 from the first character, the last block to the
 * end).
 *
 * Apart from the word pass, each loop keeps its few variables in registers (in one loop with
 * the words and the structure they were spilled to the stack every character), and the serving
 * path reads only the blocks whose trigrams count: a material block is skipped, not summed and
 * then left out.
 */

const SPACE_CHAR = 0x20;

/** A character trigram's bucket: multiplicative hashing of its three code units, top bits. */
export function trigramBucket(c1: number, c2: number, s: number): number {
  return (
    (Math.imul(c1, 0x9e3779b1) ^
      Math.imul(c2, 0x85ebca6b) ^
      Math.imul(s ^ SEED_CHAR, 0xc2b2ae35)) >>>
    (32 - HASH_BITS)
  );
}

/** Where block `b` starts and ends (exclusive) among the text's characters. */
const blockFrom = (buf: ScanBuffers, b: number): number => (b === 0 ? 0 : buf.blockStart[b] + 1);
const blockTo = (buf: ScanBuffers, b: number, blocks: number, n: number): number =>
  b + 1 < blocks ? buf.blockStart[b + 1] + 1 : n;

/**
 * The stream character before the space that the newline at `at` (one that opened a block)
 * ends the stream with: the last character before it that is not whitespace. A block opens only
 * after a line with content, so there is one.
 */
function characterBeforeSpace(text: string, at: number): number {
  let i = at - 1;
  while (STREAM[text.charCodeAt(i)] === SPACE_CHAR) i--;
  return STREAM[text.charCodeAt(i)];
}

/**
 * Σ weight and the number of trigrams over the blocks that are not material, each block summed
 * from zero and the block sums added in order (the same additions as summing block by block
 * along the whole text).
 */
export function sumTrigrams(
  text: string,
  buf: ScanBuffers,
  blocks: number,
  weights: Float32Array,
  out: TrigramCounts,
): void {
  const stream = STREAM;
  const n = text.length;
  let dot = 0;
  let total = 0;
  for (let b = 0; b < blocks; b++) {
    if (buf.blockMaterial[b] === 1) continue;
    let c1 = 0;
    let c2 = 0;
    // Stream characters seen, counted up to 2 (from then on, each one closes a trigram).
    let seen = 0;
    if (b > 0) {
      c1 = characterBeforeSpace(text, buf.blockStart[b]);
      c2 = SPACE_CHAR;
      seen = 2;
    }
    let blockDot = 0;
    let blockTotal = 0;
    for (let i = blockFrom(buf, b), to = blockTo(buf, b, blocks, n); i < to; i++) {
      const s = stream[text.charCodeAt(i)];
      if (s === SPACE_CHAR && c2 === SPACE_CHAR) continue;
      if (seen === 2) {
        blockDot += weights[trigramBucket(c1, c2, s)];
        blockTotal++;
      } else {
        seen++;
      }
      c1 = c2;
      c2 = s;
    }
    dot += blockDot;
    total += blockTotal;
  }
  out.charDot = dot;
  out.charTotal = total;
}

/**
 * Counts every trigram into the vector being built (the training and explanation path): the
 * buckets touched, the log of occurrences and where each block starts in it, so that material
 * blocks can be taken back out ({@link ScanBuffers.dropMaterialChars}).
 *
 * `trace` names each bucket after the first n-gram, word or trigram, that hashed to it: the word
 * pass has run, and `wordAt` holds the character at which each bucket it named was named (a
 * trigram closed at that character came first).
 */
export function logTrigrams(
  text: string,
  buf: ScanBuffers,
  blocks: number,
  out: TrigramCounts,
  trace: Map<number, string> | undefined,
  wordAt: Map<number, number> | undefined,
): void {
  const stream = STREAM;
  const counts = buf.charCounts;
  const n = text.length;
  let distinct = 0;
  let logged = 0;
  let c1 = 0;
  let c2 = 0;
  let seen = 0;
  for (let b = 0; b < blocks; b++) {
    buf.blockCharStart[b] = logged;
    for (let i = blockFrom(buf, b), to = blockTo(buf, b, blocks, n); i < to; i++) {
      const s = stream[text.charCodeAt(i)];
      if (s === SPACE_CHAR && c2 === SPACE_CHAR) continue;
      if (seen === 2) {
        const bucket = trigramBucket(c1, c2, s);
        if (counts[bucket]++ === 0) buf.charTouched[distinct++] = bucket;
        buf.charLog[logged++] = bucket;
        if (trace) nameTrigram(trace, wordAt, bucket, i, c1, c2, s);
      } else {
        seen++;
      }
      c1 = c2;
      c2 = s;
    }
  }
  out.charGrams = distinct;
  out.charLogged = logged;
}

function nameTrigram(
  trace: Map<number, string>,
  wordAt: Map<number, number> | undefined,
  bucket: number,
  at: number,
  c1: number,
  c2: number,
  s: number,
): void {
  const wordNamedAt = wordAt?.get(bucket);
  if (trace.has(bucket) && (wordNamedAt === undefined || wordNamedAt < at)) return;
  trace.set(bucket, `'${String.fromCharCode(c1, c2, s)}'`);
  wordAt?.delete(bucket);
}

/** What the trigram passes report into a scan. */
export interface TrigramCounts {
  /** Σ weight over the counted trigrams, and their number (when weights are given). */
  charDot: number;
  charTotal: number;
  /** Distinct buckets and occurrences logged (when materialising). */
  charGrams: number;
  charLogged: number;
}
