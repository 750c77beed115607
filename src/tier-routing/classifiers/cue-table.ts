import { CUE_GROUPS, CUE_GROUP_NAMES, type CueGroup } from './cue-lexicon';
import { phraseKey, phraseTokens } from './text-tables';

/**
 * The lexicon as a lookup table: open addressing over token-hash keys (unigrams, bigrams and
 * trigrams hashed exactly as the scanner hashes a prompt), each slot holding a bit mask of the
 * cue groups the phrase belongs to.
 */
const CUE_TABLE_BITS = 12;
const CUE_TABLE_MASK = (1 << CUE_TABLE_BITS) - 1;
const CUE_KEYS = new Int32Array(1 << CUE_TABLE_BITS);
const CUE_MASKS = new Int32Array(1 << CUE_TABLE_BITS);
const CUE_USED = new Uint8Array(1 << CUE_TABLE_BITS);

export const GROUP_COUNT = CUE_GROUP_NAMES.length;
/** Position of each group in the cue counters (its bit in a mask). */
export const GROUP_INDEX = Object.fromEntries(CUE_GROUP_NAMES.map((g, i) => [g, i])) as Record<
  CueGroup,
  number
>;

/** The groups (bit mask) a token, bigram or trigram key belongs to; 0 for none. */
export function cueLookup(key: number): number {
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

(function buildCueTable(): void {
  for (const group of CUE_GROUP_NAMES) {
    const mask = 1 << GROUP_INDEX[group];
    for (const phrase of CUE_GROUPS[group] as readonly string[]) {
      const key = phraseKey(phraseTokens(phrase));
      if (key === null) throw new Error(`cue phrase '${phrase}' must be 1 to 3 tokens`);
      cueInsert(key, mask);
    }
  }
})();
