import { GROUP_COUNT } from './cue-table';
import { HASH_BUCKETS } from './text-tables';

/** Hashed n-grams and their values. */
export interface SparseVector {
  buckets: Int32Array;
  values: Float32Array;
}

/** A flag on a count while `countWords` lists buckets (counts stay under it: see the constructor). */
const LISTED = 0x8000;

export const EMPTY_VECTOR: SparseVector = {
  buckets: new Int32Array(0),
  values: new Float32Array(0),
};

/**
 * The scratch space of a scan: n-gram counts over the hash space, the list of buckets touched
 * (so that resetting costs what the text cost, not 2^16), and the per-block counters. One
 * object is allocated per scanner and reused by every call; classification is synchronous and
 * single-threaded, and each call leaves the counts at zero.
 */
export class ScanBuffers {
  readonly wordCounts = new Uint16Array(HASH_BUCKETS);
  readonly charCounts = new Uint16Array(HASH_BUCKETS);
  readonly wordTouched: Int32Array;
  readonly charTouched: Int32Array;
  readonly blockStart: Int32Array;
  readonly blockNumbers: Int32Array;
  readonly blockQuestions: Int32Array;
  readonly blockSentences: Int32Array;
  readonly blockCodeSymbols: Int32Array;
  readonly blockFence: Uint8Array;
  readonly blockPassage: Uint8Array;
  readonly blockTokens: Int32Array;
  /** Cue hits per block and group (`block * GROUP_COUNT + group`). */
  readonly blockCues: Int32Array;
  /** A long block beside a shorter one (quoted text, a pasted file): its n-grams do not vote. */
  readonly blockMaterial: Uint8Array;
  /**
   * The n-gram occurrences of a scan in order, and where each block's start in them: counted as
   * they come, and taken back out of a block found to be material at the end of the text (most
   * texts have none, and pay only the log).
   */
  readonly wordLog: Int32Array;
  readonly charLog: Int32Array;
  readonly blockWordStart: Int32Array;
  readonly blockCharStart: Int32Array;

  constructor(
    /** Characters examined at most per text. */
    readonly maxChars: number,
    /** Blocks (blank-line separated) tracked per text. */
    readonly maxBlocks: number,
  ) {
    // At most two word n-grams per character: a count never reaches the LISTED flag.
    if (2 * maxChars + 8 >= LISTED) throw new RangeError(`scan buffers for ${maxChars} characters`);
    this.wordTouched = new Int32Array(2 * maxChars + 8);
    this.charTouched = new Int32Array(maxChars + 8);
    this.wordLog = new Int32Array(2 * maxChars + 8);
    this.charLog = new Int32Array(maxChars + 8);
    this.blockWordStart = new Int32Array(maxBlocks + 1);
    this.blockCharStart = new Int32Array(maxBlocks + 1);
    this.blockMaterial = new Uint8Array(maxBlocks);
    this.blockStart = new Int32Array(maxBlocks + 1);
    this.blockNumbers = new Int32Array(maxBlocks);
    this.blockQuestions = new Int32Array(maxBlocks);
    this.blockSentences = new Int32Array(maxBlocks);
    this.blockCodeSymbols = new Int32Array(maxBlocks);
    this.blockFence = new Uint8Array(maxBlocks);
    this.blockPassage = new Uint8Array(maxBlocks);
    this.blockTokens = new Int32Array(maxBlocks);
    this.blockCues = new Int32Array(maxBlocks * GROUP_COUNT);
  }

  /** Opens block `b` at offset `at` with zeroed counters. */
  startBlock(b: number, at: number): void {
    this.blockStart[b] = at;
    this.blockNumbers[b] = 0;
    this.blockQuestions[b] = 0;
    this.blockSentences[b] = 0;
    this.blockCodeSymbols[b] = 0;
    this.blockFence[b] = 0;
    this.blockTokens[b] = 0;
    this.blockCues.fill(0, b * GROUP_COUNT, (b + 1) * GROUP_COUNT);
  }

  /**
   * Counts the word n-grams of the blocks that are not material, from the log, and lists the
   * buckets counted in `wordTouched` in the order they first occur in the whole text (the order
   * the vector is built and scored in, so that each sum is the same additions in the same
   * order). Returns how many there are.
   */
  countWords(blocks: number, logged: number): number {
    const counts = this.wordCounts;
    const touched = this.wordTouched;
    const log = this.wordLog;
    const starts = this.blockWordStart;
    starts[blocks] = logged;
    let distinct = 0;
    if (!this.hasMaterial(blocks)) {
      for (let i = 0; i < logged; i++) if (counts[log[i]]++ === 0) touched[distinct++] = log[i];
      return distinct;
    }
    for (let j = 0; j < blocks; j++)
      if (this.blockMaterial[j] === 0)
        for (let i = starts[j]; i < starts[j + 1]; i++) counts[log[i]]++;
    // A bucket counted is listed at its first occurrence, wherever that is (a material block's
    // words can come first); LISTED marks it listed until the list is complete.
    for (let i = 0; i < logged; i++) {
      const b = log[i];
      const c = counts[b];
      if (c !== 0 && c < LISTED) {
        counts[b] = c | LISTED;
        touched[distinct++] = b;
      }
    }
    for (let i = 0; i < distinct; i++) counts[touched[i]] &= LISTED - 1;
    return distinct;
  }

  /** Whether any of the first `blocks` blocks is material. */
  private hasMaterial(blocks: number): boolean {
    for (let j = 0; j < blocks; j++) if (this.blockMaterial[j] === 1) return true;
    return false;
  }

  /**
   * Takes the material blocks' character trigrams back out of the counts (when materialised);
   * returns the distinct buckets left (listed first in `charTouched`).
   */
  dropMaterialChars(distinct: number, blocks: number, logged: number): number {
    const counts = this.charCounts;
    const touched = this.charTouched;
    const starts = this.blockCharStart;
    starts[blocks] = logged;
    if (!this.hasMaterial(blocks)) return distinct;
    for (let j = 0; j < blocks; j++)
      if (this.blockMaterial[j] === 1)
        for (let i = starts[j]; i < starts[j + 1]; i++) counts[this.charLog[i]]--;
    let kept = 0;
    for (let i = 0; i < distinct; i++) if (counts[touched[i]] > 0) touched[kept++] = touched[i];
    return kept;
  }

  /** Word n-grams: sublinear term frequency (1 + ln tf), L2-normalised; resets the counts. */
  collectWords(count: number): SparseVector {
    const counts = this.wordCounts;
    const buckets = this.wordTouched.slice(0, count);
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

  /** The word vector's dot product with `weights`, without building it; resets the counts. */
  scoreWords(weights: Float32Array, count: number): number {
    const counts = this.wordCounts;
    const touched = this.wordTouched;
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < count; i++) {
      const b = touched[i];
      const tf = counts[b];
      const x = tf === 1 ? 1 : 1 + Math.log(tf);
      counts[b] = 0;
      dot += weights[b] * x;
      norm += x * x;
    }
    return norm > 0 ? dot / Math.sqrt(norm) : 0;
  }

  /** Character trigrams: tf over √(number of trigrams), so no dedup is needed to score. */
  collectChars(count: number): SparseVector {
    const counts = this.charCounts;
    const buckets = this.charTouched.slice(0, count);
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

  /** Resets the word counts without reading them. */
  clearWords(count: number): void {
    for (let i = 0; i < count; i++) this.wordCounts[this.wordTouched[i]] = 0;
  }
}

/** Σ weight × value over a sparse vector. */
export function dotSparse(weights: Float32Array, v: SparseVector): number {
  let s = 0;
  const b = v.buckets;
  const x = v.values;
  for (let i = 0; i < b.length; i++) s += weights[b[i]] * x[i];
  return s;
}
