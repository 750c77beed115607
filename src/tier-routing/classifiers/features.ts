/**
 * The classifiers' feature extraction, one unit per concern:
 * - `text-tables.ts`: character classes, case folds and the integer hashing of tokens;
 * - `cue-lexicon.ts` and `cue-table.ts`: the cue words and their lookup table;
 * - `scan-buffers.ts`, `text-scanner.ts` and `char-trigrams.ts`: the scan over a text (a pass for
 *   structure and words, then one for the character trigrams), with its scratch space as an
 *   explicit object;
 * - `result-slab.ts`: where the per-text result arrays are cut from;
 * - `text-features.ts`: a text's rule features and hashed n-grams;
 * - `conversation-view.ts`: the capped view of a conversation and its context features.
 *
 * This module only re-exports them, for the classifiers and the offline tools.
 */
export { HASH_BITS, HASH_BUCKETS, phraseTokens } from './text-tables';
export { dotSparse, type SparseVector } from './scan-buffers';
export {
  CONTENT_FEATURES,
  FEATURE_LIMITS,
  FEATURE_SPEC_VERSION,
  analyseScored,
  analyseText,
  capText,
  cueFeatureName,
  featureIndex,
  scanCues,
  type AnalyseOptions,
  type ContentFeature,
  type NgramWeights,
  type TextFeatures,
} from './text-features';
export {
  CONTEXT_FEATURES,
  analyseConversation,
  isFollowUp,
  messageText,
  viewConversation,
  type ContextFeature,
  type ConversationAnalysis,
  type ConversationView,
} from './conversation-view';
