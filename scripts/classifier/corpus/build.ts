/**
 * Assembles the training corpus: every template of every family with its slot fillers, then
 * conversations built from those rows (follow-ups, topic switches, acknowledgements), and
 * system prompts and tools on a share of rows. Seeded: the same seed gives the same file.
 */
import type { ChatMessage } from '../../../src/common/openai/chat.types';
import { LANGS, Rand, fill, type CorpusRow, type Family, type Lang } from './compose';
import {
  ACKNOWLEDGEMENTS,
  ANSWERS,
  CONTINUATIONS,
  LIGHT_FOLLOW_UPS,
  SWITCH_MARKERS,
  SYSTEM_PROMPTS,
  TOOLS,
} from './conversations';
import { CONTRAST_FAMILIES } from './contrast-families';
import { HANDWRITTEN } from './handwritten';
import { INSTANT_SHORT_FAMILIES } from './instant-families';
import { LONG_FAMILIES } from './long-families';
import { MORE_FAMILIES } from './more-families';
import { NATIVE_FAMILIES } from './native-families';
import { WEAK_LANGUAGE_FAMILIES } from './weak-language-families';
import { WORLD_FAMILIES } from './world-families';
import { THINKING_CODE_FAMILIES } from './thinking-code-families';
import { THINKING_MATH_FAMILIES } from './thinking-families';

export const FAMILIES: readonly Family[] = [
  ...THINKING_MATH_FAMILIES,
  ...THINKING_CODE_FAMILIES,
  ...INSTANT_SHORT_FAMILIES,
  ...LONG_FAMILIES,
  ...MORE_FAMILIES,
  ...WORLD_FAMILIES,
  ...NATIVE_FAMILIES,
  ...WEAK_LANGUAGE_FAMILIES,
  ...CONTRAST_FAMILIES,
];

/** Single-turn rows of every family, duplicates removed. */
function singleTurns(r: Rand): CorpusRow[] {
  const rows: CorpusRow[] = [];
  const seen = new Set<string>();
  for (const family of FAMILIES) {
    for (const lang of LANGS) {
      const templates = family.templates[lang] ?? [];
      templates.forEach((template, t) => {
        const per = family.perTemplate ?? 8;
        for (let i = 0; i < per; i++) {
          const prompt = fill(template, family.slots(r, lang), r);
          if (seen.has(prompt)) continue;
          seen.add(prompt);
          rows.push({
            id: `${family.id}-${lang}-${t}-${i}`,
            prompt,
            label: family.label,
            kind: family.kind,
            lang,
            family: `${family.id}/${lang}/${t}`,
          });
        }
      });
    }
  }
  return rows;
}

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string, reasoning?: string): ChatMessage => ({
  role: 'assistant',
  content,
  ...(reasoning ? { reasoning_content: reasoning } : {}),
});

/** Two-turn conversations over the single-turn rows, one per pattern and sampled base. */
function conversations(r: Rand, rows: readonly CorpusRow[]): CorpusRow[] {
  const out: CorpusRow[] = [];
  const hard = rows.filter((x) => x.label === 'thinking');
  const easy = rows.filter((x) => x.label === 'instant' && x.prompt.length < 400);
  const easyOf = (lang: Lang): CorpusRow[] => {
    const same = easy.filter((x) => x.lang === lang && !x.kind.startsWith('chitchat'));
    return same.length > 0 ? same : easy;
  };
  const history = (base: CorpusRow): ChatMessage[] => [
    user(base.prompt),
    assistant(
      r.pick(ANSWERS),
      base.label === 'thinking' && r.chance(0.3) ? 'Let me work through it.' : undefined,
    ),
  ];
  const push = (
    base: CorpusRow,
    pattern: string,
    messages: ChatMessage[],
    label: CorpusRow['label'],
    kind: string,
    family = base.family,
  ): void => {
    const last = messages[messages.length - 1].content as string;
    out.push({
      id: `${base.id}-${pattern}`,
      prompt: last,
      messages,
      label,
      kind,
      lang: base.lang,
      family,
    });
  };
  for (const base of [...hard, ...hard]) {
    const roll = r.float();
    if (roll < 0.3) {
      push(
        base,
        'cont',
        [...history(base), user(r.pick(CONTINUATIONS[base.lang]))],
        'thinking',
        'hard-follow-up',
      );
    } else if (roll < 0.6) {
      const next = r.pick(easyOf(base.lang));
      push(
        base,
        'switch',
        [...history(base), user(r.pick(SWITCH_MARKERS[base.lang]) + next.prompt)],
        'instant',
        'hard-topic-switch',
        next.family,
      );
    } else if (roll < 0.75) {
      push(
        base,
        'ack',
        [...history(base), user(r.pick(ACKNOWLEDGEMENTS[base.lang]))],
        'instant',
        'chitchat',
      );
    }
  }
  for (const base of easy) {
    const roll = r.float();
    if (roll < 0.2) {
      push(
        base,
        'light',
        [...history(base), user(r.pick(LIGHT_FOLLOW_UPS[base.lang]))],
        'instant',
        'follow-up-light',
      );
    } else if (roll < 0.35) {
      const next = r.pick(hard.filter((x) => x.lang === base.lang).concat(hard.slice(0, 1)));
      push(
        base,
        'escalate',
        [...history(base), user(next.prompt)],
        'thinking',
        'after-easy-hard',
        next.family,
      );
    }
  }
  return out;
}

/** A system prompt or declared tools on a share of rows: the label does not change. */
function withContext(r: Rand, row: CorpusRow): CorpusRow {
  const roll = r.float();
  const messages = row.messages ?? [user(row.prompt)];
  if (roll < 0.2)
    return { ...row, messages: [{ role: 'system', content: r.pick(SYSTEM_PROMPTS) }, ...messages] };
  if (roll < 0.35) return { ...row, messages, tools: r.some(TOOLS, r.int(1, 3)) };
  return row;
}

export function buildCorpus(seed: number): CorpusRow[] {
  const r = new Rand(seed);
  const single = [...singleTurns(r), ...HANDWRITTEN];
  const all = [...single, ...conversations(r, single)];
  return all.map((row) => withContext(r, row));
}
