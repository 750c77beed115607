import { cueLookup } from '../../../src/tier-routing/classifiers/cue-table';
import type { ScanBuffers } from './scan-buffers.reference';
import {
  CUE_TRIGRAM,
  HASH_MASK,
  NUMBER_TOKEN,
  SEED_BIGRAM,
  SEED_WORD,
  mix,
  pairKey,
} from '../../../src/tier-routing/classifiers/text-tables';

/** Word-token state of a scan: fields, so the hot loop does not go through closure slots. */
export class TokenState {
  /** Word n-gram occurrences logged (see `ScanBuffers.wordLog`), and distinct buckets counted. */
  logged = 0;
  distinct = 0;
  prev1 = 0;
  prev2 = 0;
  /** Tokens since the last sentence break (n-grams and cues do not cross one). */
  chain = 0;
  /** Offset of the current block's cue counters in `blockCues`. */
  cueBase = 0;
  block = 0;
  prevText = '';

  private buf!: ScanBuffers;
  private ngrams = false;
  private trace: Map<number, string> | undefined;

  /** Starts a scan: one object serves every scan (a decision leaves no garbage here). */
  reset(buf: ScanBuffers, ngrams: boolean, trace: Map<number, string> | undefined): void {
    this.buf = buf;
    this.ngrams = ngrams;
    this.trace = trace;
    this.logged = 0;
    this.distinct = 0;
    this.prev1 = 0;
    this.prev2 = 0;
    this.chain = 0;
    this.cueBase = 0;
    this.block = 0;
    this.prevText = '';
  }

  emit(token: number, text: string, start: number, end: number): void {
    const buf = this.buf;
    const chain = this.chain;
    // One bigram hash serves the n-gram bucket and the cue lookup.
    const bigramKey = chain > 0 ? pairKey(this.prev1, token, SEED_BIGRAM) : 0;
    if (this.ngrams) {
      const counts = buf.wordCounts;
      const log = buf.wordLog;
      const unigram = mix(token ^ SEED_WORD) & HASH_MASK;
      if (counts[unigram]++ === 0) buf.wordTouched[this.distinct++] = unigram;
      log[this.logged++] = unigram;
      let bigram = -1;
      if (chain > 0) {
        bigram = bigramKey & HASH_MASK;
        if (counts[bigram]++ === 0) buf.wordTouched[this.distinct++] = bigram;
        log[this.logged++] = bigram;
      }
      if (this.trace) this.traceWords(token, text, start, end, unigram, bigram);
    }
    buf.blockTokens[this.block]++;
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
      buf.blockCues[this.cueBase + bit]++;
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
