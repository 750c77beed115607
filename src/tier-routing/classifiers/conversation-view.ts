import type { ChatMessage } from '../../common/openai/chat.types';
import type { CueGroup } from './cue-lexicon';
import { GROUP_INDEX } from './cue-table';
import {
  CONTENT_FEATURES,
  FEATURE_LIMITS,
  analyseScored,
  capText,
  clamp01,
  sat,
  scanCues,
  type NgramWeights,
  type TextFeatures,
} from './text-features';
import type { ClassificationInput } from './tier-classifier.interface';

/**
 * Conversation → the capped parts classification reads, and the context features. Only the
 * last {@link FEATURE_LIMITS.messagesScanned} messages are walked; the system prompt and earlier
 * turns are read through their first {@link FEATURE_LIMITS.contextChars} characters.
 */

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

/** The parts of a conversation a classifier looks at, already capped. */
export interface ConversationView {
  /** The latest user turn as examined (head and tail when it is long). */
  latest: string;
  /** Characters of the whole latest user turn. */
  latestLength: number;
  /** System and developer prompts, capped. */
  system: string;
  /** Earlier user turns, most recent first, each capped. */
  prior: readonly string[];
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

const NO_TURNS: readonly string[] = Object.freeze([]);

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
      const content = m.content;
      // A string (the common case) is capped without the helper's result object.
      if (typeof content === 'string') {
        latest = capText(content, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
        latestLength = content.length;
      } else {
        const t = messageText(content, FEATURE_LIMITS.latestHead, FEATURE_LIMITS.latestTail);
        latest = t.text;
        latestLength = t.length;
      }
      latestIndex = i;
      break;
    }
    if (m?.role === 'tool' || m?.role === 'function') toolResults++;
  }
  let prior: string[] | null = null;
  let userTurns = latestIndex >= 0 ? 1 : 0;
  let priorReasoning = false;
  for (let i = latestIndex - 1; i >= stop; i--) {
    const m = messages[i];
    if (m?.role === 'user') {
      userTurns++;
      prior ??= [];
      if (prior.length < FEATURE_LIMITS.priorTurns) {
        prior.push(messageText(m.content, FEATURE_LIMITS.contextChars).text);
      }
    } else if (m?.role === 'assistant' && carriesReasoning(m)) {
      priorReasoning = true;
    }
  }
  let system = '';
  for (
    let i = 0, budget = FEATURE_LIMITS.contextChars;
    i < Math.min(messages.length, 4) && budget > 0;
    i++
  ) {
    const m = messages[i];
    if (m?.role !== 'system' && m?.role !== 'developer') continue;
    const content = m.content;
    const t =
      typeof content === 'string' ? capText(content, budget) : messageText(content, budget).text;
    system = system.length === 0 ? t : `${system}\n${t}`;
    budget -= t.length;
  }
  return {
    latest,
    latestLength,
    system,
    prior: prior ?? NO_TURNS,
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
const REASONING_INDEXES = REASONING_GROUPS.map((g) => GROUP_INDEX[g]);
const DIRECT_INDEXES = DIRECT_GROUPS.map((g) => GROUP_INDEX[g]);
function sumGroups(cues: Int32Array, indexes: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < indexes.length; i++) s += cues[indexes[i]];
  return s;
}

const QUESTIONS = CONTENT_FEATURES.indexOf('questions');
const { greeting: GREETING, topicSwitch: TOPIC_SWITCH } = GROUP_INDEX;

/**
 * Whether the latest turn continues the earlier ones: a short turn after earlier user turns,
 * unless it only acknowledges the answer (thanks, greetings, no question) or marks a change of
 * topic ("Unrelated: …", "By the way, …"), after which the new request is judged on its own.
 */
export function isFollowUp(view: ConversationView, latest: TextFeatures): boolean {
  if (view.prior.length === 0 || view.latestLength > FEATURE_LIMITS.followUpChars) return false;
  if (latest.cues[TOPIC_SWITCH] > 0) return false;
  const acknowledgement = latest.cues[GREETING] > 0 && latest.values[QUESTIONS] === 0;
  return !acknowledgement;
}

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
  const scoring = weights ?? null;
  const latest = analyseScored(view.latest, view.latestLength, scoring);
  const context = new Float64Array(CONTEXT_FEATURES.length);
  if (view.system.length > 0) {
    // Only the system prompt's cue counts are read, straight from the scanner.
    const system = scanCues(view.system);
    context[0] = sat(sumGroups(system, REASONING_INDEXES));
    context[1] = sat(sumGroups(system, DIRECT_INDEXES));
  }
  const followUp = isFollowUp(view, latest);
  context[2] = view.toolsDeclared > 0 ? 1 : 0;
  context[3] = sat(view.toolResults);
  context[4] = clamp01(Math.log2(Math.max(1, view.userTurns)) / 4);
  context[5] = view.priorReasoning ? 1 : 0;
  context[6] = followUp ? 1 : 0;
  return new Analysis(view, latest, context, followUp, scoring);
}

/** One object per request: the earlier turns' features are computed on first use. */
class Analysis implements ConversationAnalysis {
  private priorFeatures?: readonly TextFeatures[];

  constructor(
    readonly view: ConversationView,
    readonly latest: TextFeatures,
    readonly context: Float64Array,
    readonly followUp: boolean,
    private readonly weights: NgramWeights | null,
  ) {}

  prior(): readonly TextFeatures[] {
    return (this.priorFeatures ??= this.view.prior.map((t) =>
      analyseScored(t, t.length, this.weights),
    ));
  }
}
