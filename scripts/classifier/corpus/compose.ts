/**
 * Building blocks of the training-corpus generator: a seeded random source, slot filling, and
 * the shape of a template family. Every family states its label from the labelling rule of
 * `data/tiering/README.md`; a template never decides a label by itself.
 */
import type { ChatMessage } from '../../../src/common/openai/chat.types';
import type { TierName } from '../../../src/config/gateway-config.interface';
import { prng } from '../trainer';

export const LANGS = [
  'en',
  'es',
  'fr',
  'de',
  'pt',
  'it',
  'ru',
  'zh',
  'ja',
  'tr',
  'vi',
  'ar',
  'hi',
] as const;
export type Lang = (typeof LANGS)[number];

/** One training row as written to `train.jsonl`. */
export interface CorpusRow {
  id: string;
  prompt: string;
  messages?: ChatMessage[];
  tools?: { type: 'function'; function: { name: string; description: string } }[];
  label: TierName;
  kind: string;
  lang: Lang;
  /** The template the row came from: the unit that held-out evaluation keeps apart. */
  family: string;
}

/** A seeded random source with the helpers the families use. */
export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** `k` distinct items. */
  some<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < k && pool.length > 0)
      out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]);
    return out;
  }
}

/** Values a template may use: `{name}`, `{n1}`, … Functions are called per use. */
export type Slots = Record<string, string | number | ((r: Rand) => string | number)>;

/** Replaces every `{slot}` of `template`; an unknown slot is a programming error. */
export function fill(template: string, slots: Slots, r: Rand): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = slots[key];
    if (v === undefined) throw new Error(`template slot {${key}} has no value: ${template}`);
    return String(typeof v === 'function' ? v(r) : v);
  });
}

/**
 * A template family: one kind of task, one label, templates per language, and a slot maker
 * (numbers, names, snippets) called once per row.
 */
export interface Family {
  id: string;
  kind: string;
  label: TierName;
  templates: Partial<Record<Lang, readonly string[]>>;
  slots: (r: Rand, lang: Lang) => Slots;
  /** Rows per template (default 8). */
  perTemplate?: number;
}

/** People's names per language, for word problems and puzzles. */
export const NAMES: Record<Lang, readonly string[]> = {
  en: ['Maya', 'Tom', 'Priya', 'Leo', 'Grace', 'Omar', 'Hannah', 'Ravi'],
  es: ['Lucía', 'Mateo', 'Carmen', 'Diego', 'Sofía', 'Javier'],
  fr: ['Camille', 'Hugo', 'Léa', 'Louis', 'Chloé', 'Mathis'],
  de: ['Jonas', 'Lena', 'Felix', 'Mia', 'Paul', 'Klara'],
  pt: ['Beatriz', 'João', 'Mariana', 'Rafael', 'Ana', 'Tiago'],
  it: ['Giulia', 'Marco', 'Chiara', 'Luca', 'Sara', 'Matteo'],
  ru: ['Анна', 'Иван', 'Ольга', 'Дмитрий', 'Мария', 'Пётр'],
  zh: ['小明', '小红', '李华', '王芳', '张伟', '刘洋'],
  ja: ['たろう', 'はなこ', 'けんじ', 'ゆき', 'さくら', 'ひろし'],
  tr: ['Ayşe', 'Mehmet', 'Elif', 'Can', 'Zeynep', 'Emre'],
  vi: ['Lan', 'Minh', 'Hoa', 'Tuấn', 'Mai', 'Dũng'],
  ar: ['سارة', 'أحمد', 'ليلى', 'يوسف', 'مريم', 'خالد'],
  hi: ['राहुल', 'प्रिया', 'अमित', 'सीमा', 'विकास', 'नेहा'],
};

/** Two or three distinct names of a language as slots `name`, `name2`, `name3`. */
export function names(r: Rand, lang: Lang): Slots {
  const [a, b, c] = r.some(NAMES[lang], 3);
  return { name: a, name2: b, name3: c };
}
