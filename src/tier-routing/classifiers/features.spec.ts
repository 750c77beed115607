import fc from 'fast-check';
import type { ChatMessage } from '../../common/openai/chat.types';
import { CUE_GROUPS, CUE_GROUP_NAMES } from './cue-lexicon';
import {
  CONTENT_FEATURES,
  CONTEXT_FEATURES,
  FEATURE_LIMITS,
  analyseConversation,
  analyseScored,
  analyseText,
  capText,
  cueFeatureName,
  dotSparse,
  featureIndex,
  phraseTokens,
  scanCues,
  viewConversation,
  type ContentFeature,
} from './features';

const value = (text: string, feature: ContentFeature): number =>
  analyseText(text).values[featureIndex(feature)];

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string, reasoning?: string): ChatMessage => ({
  role: 'assistant',
  content,
  ...(reasoning ? { reasoning_content: reasoning } : {}),
});

const PASSAGE =
  'The committee met on Monday to review the regional budget. It heard reports from each office, ' +
  'compared them with the previous year, and noted that travel costs had risen while training ' +
  'costs had fallen. Members asked for a clearer breakdown of the figures before the next meeting ' +
  'and agreed to publish a summary for staff. Prove nothing, calculate nothing, just note that ' +
  'the meeting closed at noon after a short discussion of the schedule for the coming quarter.';

describe('analyseText: rule features', () => {
  it.each<[string, ContentFeature, 'present' | 'absent']>([
    ['Prove that there are infinitely many primes.', 'cue_proof', 'present'],
    ['Démontre que la somme des angles est 180 degrés.', 'cue_proof', 'present'],
    ['请证明这个结论。', 'cue_proof', 'present'],
    ['Explain your reasoning step by step.', 'cue_stepwise', 'present'],
    ['Find the remainder when 2^100 is divided by 7.', 'cue_math', 'present'],
    ['How many apples are left?', 'cue_ask', 'present'],
    ['¿Cuántos libros tiene Ana?', 'cue_ask', 'present'],
    ['Сколько яблок осталось?', 'cue_ask', 'present'],
    ['Write a function that merges two sorted lists in Python.', 'cue_code_task', 'present'],
    ['Why does this crash with a traceback?', 'cue_debug', 'present'],
    [
      'Compare PostgreSQL and DynamoDB and pick one; explain the trade-offs.',
      'cue_design',
      'present',
    ],
    ['It must run in at most 2 ms and without Redis.', 'cue_constraints', 'present'],
    [
      'Alice lies. Bob says Alice tells the truth. Does Bob tell the truth?',
      'cue_logic',
      'present',
    ],
    // The same ideas across languages (solve, real numbers, a function, a cause, inference).
    ['Löse die Gleichung in den reellen Zahlen.', 'cue_ask', 'present'],
    ['Löse die Gleichung in den reellen Zahlen.', 'cue_math', 'present'],
    ['Scrivi una funzione che inverte una lista.', 'cue_code_task', 'present'],
    ['Найди причину падения выручки.', 'cue_debug', 'present'],
    ['Déduis quelle hypothèse explique la baisse.', 'cue_logic', 'present'],
    ['根据数据推断原因，排除其他可能。', 'cue_logic', 'present'],
    ['Hi! How are you?', 'cue_greeting', 'present'],
    ['Привет! Как дела?', 'cue_greeting', 'present'],
    ['Translate into German: good night.', 'cue_rewrite', 'present'],
    ['Übersetze ins Englische: Guten Morgen.', 'cue_rewrite', 'present'],
    ['Summarize the following article in one sentence.', 'cue_rewrite', 'present'],
    ['Extract every date mentioned in the notes.', 'cue_extract', 'present'],
    ['What is the capital of Australia?', 'cue_lookup', 'present'],
    ['Write a poem about autumn.', 'cue_creative', 'present'],
    ['Act as a travel guide.', 'cue_roleplay', 'present'],
    ['How many piano tuners are there in the world? Estimate roughly.', 'cue_estimate', 'present'],
    ['The weather is nice today.', 'cue_proof', 'absent'],
    ["Don't worry about the trade-off.", 'cue_design', 'present'],
  ])('%j → %s %s', (text, feature, expected) => {
    if (expected === 'present') expect(value(text, feature)).toBeGreaterThan(0);
    else expect(value(text, feature)).toBe(0);
  });

  it.each<[string, number]>([
    ['What is 12 * 12?', 2],
    ['She paid 1,200 dollars and 3.5 percent tax.', 2],
    ['Tom has three apples and buys 4 more, then gives half away.', 3],
    ['No numbers here at all.', 0],
    ['x2 and a_1 are names, not quantities.', 1],
  ])('counts the quantities of %j as %i', (text, quantities) => {
    const few = value(text, 'few_numbers');
    const many = value(text, 'numbers');
    const counted = many > 0 ? Math.round(many * 4 + 2) : few > 0 ? -1 : 0;
    if (quantities >= 3) expect(counted).toBe(quantities);
    else if (quantities > 0) expect(few).toBe(1);
    else expect(few + many).toBe(0);
  });

  it('reads language-independent signals: operators, LaTeX, nesting, non-Latin script', () => {
    expect(value('((2 + -6 * -7 - 7) + (-2 - -5 + -4 + -2)) =', 'operators')).toBeGreaterThan(0.5);
    expect(value('((2 + -6 * -7 - 7) + (-2 - -5 + -4 + -2)) =', 'nesting')).toBeGreaterThan(0);
    expect(value('Compute $\\frac{1}{2} + \\sqrt{3}$.', 'latex')).toBeGreaterThan(0);
    expect(value('卡洛斯在种一棵柠檬树。', 'nonlatin')).toBe(1);
    expect(value('Plain English text.', 'nonlatin')).toBe(0);
  });

  it('measures a docstring specification apart from its examples', () => {
    const short =
      'Complete:\n```python\ndef f(x):\n    """Return x plus one.\n    >>> f(1)\n    2\n    """\n```';
    const long =
      'Complete:\n```python\ndef f(xs):\n    """Given a list of integers, return the sum of the squares of the odd ' +
      'numbers that are at even positions, ignoring negative numbers and numbers that are not integers; ' +
      'if the list is empty return zero, otherwise round the result to the nearest integer.\n    """\n```';
    expect(value(short, 'code')).toBeGreaterThan(0);
    expect(value(short, 'code_spec_short')).toBeGreaterThan(value(long, 'code_spec_short'));
    expect(value(long, 'code_spec')).toBeGreaterThan(value(short, 'code_spec'));
  });

  it('treats a long quoted block as a passage whose words do not speak for the task', () => {
    const text = `Summarise this text in one sentence.\n\n${PASSAGE}`;
    expect(value(text, 'passage')).toBeGreaterThan(0.5);
    // "Prove" and "calculate" inside the passage are not cues of the task.
    expect(value(text, 'cue_proof')).toBe(0);
    expect(value(text, 'cue_ask')).toBe(0);
    expect(value(PASSAGE, 'cue_proof')).toBeGreaterThan(0);
  });

  it('leaves material out of the n-grams: the same task over different notes reads the same', () => {
    const other =
      'Sales in the western stores rose by a fifth. The supplier confirmed the new packaging for ' +
      'week thirty, and the office stays closed on Friday. Support closed most tickets about ' +
      'passwords; the new colleague starts on Monday and sits with the data team. The spring ' +
      'campaign keeps its budget, and the team reviewed the open points of the last release.';
    const task = 'Which change most plausibly explains the growth? Rule out the others.';
    const a = analyseText(`${PASSAGE}\n\n${task}`);
    const b = analyseText(`${other}\n\n${task}`);
    expect(Array.from(a.words.buckets).sort()).toEqual(Array.from(b.words.buckets).sort());
    expect(Array.from(a.chars.buckets).sort()).toEqual(Array.from(b.chars.buckets).sort());
    // In a long text, a short block between the first and the last is material too.
    const notes = `${task}\n\n${PASSAGE}\n\nShort middle note.\n\n${other}\n\nThanks.`;
    const sorted = (f: { words: { buckets: Int32Array } }) => Array.from(f.words.buckets).sort();
    expect(sorted(analyseText(notes))).toEqual(
      sorted(analyseText(`${task}\n\n${other}\n\nAnother middle note.\n\n${PASSAGE}\n\nThanks.`)),
    );
    // Alone, a long block is the task and its words count.
    expect(analyseText(PASSAGE).words.buckets.length).toBeGreaterThan(20);
  });

  it('marks a reasoning ask beside a passage, read from the ask alone', () => {
    const share = value(`${PASSAGE}\n\nWhich days are mentioned above?`, 'passage');
    expect(share).toBeGreaterThan(0.5);
    // The ask after (or before) the material asks for inference: the passage's share.
    const analysis = `${PASSAGE}\n\nWhich change explains the costs? Rule out the others.`;
    expect(value(analysis, 'material_reasoning')).toBe(value(analysis, 'passage'));
    const before = `Deduce from these minutes which office overspent.\n\n${PASSAGE}`;
    expect(value(before, 'material_reasoning')).toBeGreaterThan(0.5);
    // A reading ask: nothing, even when a short first paragraph of the notes has a cue
    // ("budget" is a design cue); of the first and last blocks the shorter is the ask.
    expect(value(`${PASSAGE}\n\nWhich days are mentioned above?`, 'material_reasoning')).toBe(0);
    const stray = `The budget for the spring campaign stays at 40 thousand dollars.\n\n${PASSAGE}\n\nWhich days are mentioned above?`;
    expect(value(stray, 'passage')).toBeGreaterThan(0.5);
    expect(value(stray, 'material_reasoning')).toBe(0);
    // No passage, no interaction: the cue speaks through its own feature.
    expect(value('Rule out the others.', 'material_reasoning')).toBe(0);
  });

  it('reads the length of Chinese and Japanese as what it says, not its character count', () => {
    // The same one-line puzzle: as short as its English twin, not shorter.
    const zh = '门外有三个开关，屋里有三盏灯，你只能进屋一次。怎样确定每个开关对应哪盏灯？';
    const en =
      'Three switches outside, three bulbs inside, you may enter once. Which switch is which bulb?';
    expect(zh.length).toBeLessThan(en.length / 2);
    expect(value(zh, 'short_prompt')).toBeLessThanOrEqual(value(en, 'short_prompt'));
    expect(value(zh, 'length')).toBeGreaterThanOrEqual(value(en, 'length'));
  });

  it('counts a long block of a script without spaces by its tokens', () => {
    const notes = '客服本周处理了很多工单，大多是密码重置。'.repeat(6);
    expect(notes.length).toBeLessThan(300);
    expect(value(`${notes}\n\n上文提到了哪几天？`, 'passage')).toBeGreaterThan(0.5);
  });

  it('counts questions outside passages only', () => {
    expect(value('Why? And how? And when?', 'questions')).toBe(0.75);
    expect(value(`Answer briefly.\n\n${PASSAGE} Why? How? When?`, 'questions')).toBe(0);
  });

  it('is deterministic: the same text gives the same features and buckets', () => {
    const a = analyseText('Implement an LRU cache in Python with O(1) get and put.');
    const b = analyseText('Implement an LRU cache in Python with O(1) get and put.');
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.words.buckets)).toEqual(Array.from(b.words.buckets));
    expect(Array.from(a.chars.values)).toEqual(Array.from(b.chars.values));
  });

  it('scores n-grams during the scan exactly as over the built vectors', () => {
    const words = new Float32Array(1 << 16).map((_, i) => Math.sin(i));
    const chars = new Float32Array(1 << 16).map((_, i) => Math.cos(i));
    for (const text of ['Prove it.', PASSAGE, `Résumé: 你好，世界！ ${'x'.repeat(5000)} 42`]) {
      const built = analyseText(text);
      const scored = analyseText(text, { weights: { words, chars } });
      expect(scored.words.buckets.length).toBe(0);
      expect(scored.ngramScore?.words).toBeCloseTo(dotSparse(words, built.words), 5);
      expect(scored.ngramScore?.chars).toBeCloseTo(dotSparse(chars, built.chars), 5);
    }
  });

  it('reads the same on the serving path (no options, shared scan state) as on the slow one', () => {
    const words = new Float32Array(1 << 16).map((_, i) => Math.sin(i));
    const chars = new Float32Array(1 << 16).map((_, i) => Math.cos(i));
    const piece = fc.constantFrom(
      'Prove that ',
      'how many ',
      '\n\n',
      PASSAGE,
      '```ts\nconst x = [1, 2];\n```',
      '证明 ',
      '多少',
      'Übrigens ',
      '42 + 17 = ?',
      'thanks ',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const slow = analyseText(text, { weights: { words, chars } });
        const fast = analyseScored(text, text.length, { words, chars });
        expect(Array.from(fast.values)).toEqual(Array.from(slow.values));
        expect(Array.from(fast.cues)).toEqual(Array.from(slow.cues));
        expect(fast.ngramScore?.words).toBe(slow.ngramScore?.words);
        expect(fast.ngramScore?.chars).toBe(slow.ngramScore?.chars);
        expect(Array.from(scanCues(text))).toEqual(
          Array.from(analyseText(text, { ngrams: false }).cues),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('normalises n-gram vectors, so a long text does not outweigh a short one', () => {
    const f = analyseText(PASSAGE.repeat(3));
    const norm = Math.sqrt(f.words.values.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('folds every number to one token (no number is memorised)', () => {
    const a = analyseText('Add 17 and 25.');
    const b = analyseText('Add 903 and 4.');
    expect(Array.from(a.words.buckets).sort()).toEqual(Array.from(b.words.buckets).sort());
  });
});

describe('bounded work', () => {
  const megabyte = 'word '.repeat(210_000);

  it('examines only the head and tail of a long text but reports its full length', () => {
    expect(capText('abcdefgh', 2, 2)).toBe('ab\n\ngh');
    expect(capText('abcdef', 4, 2)).toBe('abcdef');
    const f = analyseText(megabyte);
    expect(f.length).toBe(megabyte.length);
    expect(f.values[featureIndex('length')]).toBe(1);
  });

  it('handles a 1 MB prompt, as a string or as content parts', () => {
    const asString = analyseConversation({ messages: [user(megabyte)] });
    expect(asString.view.latestLength).toBe(megabyte.length);
    expect(asString.view.latest.length).toBeLessThanOrEqual(
      FEATURE_LIMITS.latestHead + FEATURE_LIMITS.latestTail + 2,
    );
    const parts = Array.from({ length: 1000 }, () => ({ type: 'text', text: 'x'.repeat(1000) }));
    const asParts = analyseConversation({ messages: [{ role: 'user', content: parts }] });
    expect(asParts.view.latest.length).toBeLessThanOrEqual(
      FEATURE_LIMITS.latestHead + FEATURE_LIMITS.latestTail + 2,
    );
  });

  it('walks only the last messages of a very long conversation', () => {
    const messages: ChatMessage[] = [];
    for (let i = 0; i < 10_000; i++) messages.push(user(`turn ${i}`), assistant('ok'));
    messages.push(user('and the last one?'));
    const view = viewConversation({ messages });
    expect(view.userTurns).toBeLessThanOrEqual(FEATURE_LIMITS.messagesScanned);
    expect(view.prior.length).toBe(FEATURE_LIMITS.priorTurns);
  });
});

describe('analyseConversation', () => {
  it('classifies from the latest user turn, after tool results', () => {
    const view = viewConversation({
      messages: [
        { role: 'system', content: 'You are a careful maths tutor. Prove every claim.' },
        user('What is the weather in Paris?'),
        { role: 'assistant', content: null, tool_calls: [] },
        { role: 'tool', content: '{"temp": 12}', tool_call_id: 'a' },
      ],
      tools: [{ type: 'function', function: { name: 'weather' } }],
    });
    expect(view.latest).toBe('What is the weather in Paris?');
    expect(view.toolResults).toBe(1);
    expect(view.toolsDeclared).toBe(1);
    expect(view.system).toContain('Prove every claim');
  });

  it.each<[string, boolean, ChatMessage[]]>([
    [
      'a short turn after earlier turns',
      true,
      [user('Prove Fermat’s little theorem.'), assistant('…'), user('why?')],
    ],
    ['a first turn', false, [user('why?')]],
    ['a long new task', false, [user('hi'), assistant('hello'), user('x'.repeat(400))]],
    ['thanks at the end', false, [user('Prove it.'), assistant('…'), user('Thanks!')]],
    [
      'a topic switch after a hard turn',
      false,
      [
        user('Prove that there are infinitely many primes.'),
        assistant('…'),
        user('Great, thanks! Unrelated: what year did Python 3 come out?'),
      ],
    ],
    [
      'a topic switch in Spanish',
      false,
      [
        user('Demuestra que √2 es irracional.'),
        assistant('…'),
        user('Por cierto, ¿qué hora es en Tokio?'),
      ],
    ],
    [
      // ところで is four kana (one token each); the lexicon holds its last three.
      'a topic switch in Japanese',
      false,
      [
        user('素数が無限にあることを証明してください。'),
        assistant('…'),
        user('ところで、カナダの首都はどこですか？'),
      ],
    ],
    [
      'a Japanese follow-up without a marker',
      true,
      [user('素数が無限にあることを証明してください。'), assistant('…'), user('なぜですか？')],
    ],
    [
      'a topic switch in Chinese',
      false,
      [user('证明根号2是无理数。'), assistant('…'), user('顺便问一下，今天星期几？')],
    ],
    [
      'a genuine follow-up with thanks and a question',
      true,
      [
        user('Prove that √2 is irrational.'),
        assistant('…'),
        user('Thanks! And why does that imply √8 is irrational?'),
      ],
    ],
  ])('follow-up: %s → %s', (_name, followUp, messages) => {
    expect(analyseConversation({ messages }).followUp).toBe(followUp);
  });

  it('reads the context: system prompt cues, tools, depth, reasoning of earlier answers', () => {
    const a = analyseConversation({
      messages: [
        { role: 'developer', content: 'Translate everything the user writes into French.' },
        user('Bonjour'),
        assistant('Hello', 'thought about it'),
        user('and this?'),
      ],
      tools: [{ type: 'function', function: { name: 'search' } }],
    });
    const ctx = (name: (typeof CONTEXT_FEATURES)[number]): number =>
      a.context[CONTEXT_FEATURES.indexOf(name)];
    expect(ctx('context.system_direct')).toBeGreaterThan(0);
    expect(ctx('context.system_reasoning')).toBe(0);
    expect(ctx('context.tools')).toBe(1);
    expect(ctx('context.prior_reasoning')).toBe(1);
    expect(ctx('context.depth')).toBeGreaterThan(0);
    expect(a.prior()).toHaveLength(1);
  });

  it('survives odd messages: no user turn, null content, unknown parts', () => {
    const a = analyseConversation({
      messages: [
        { role: 'system', content: null },
        { role: 'assistant', content: [{ type: 'image_url' }] },
      ],
    });
    expect(a.view.latest).toBe('');
    expect(a.latest.values.length).toBe(CONTENT_FEATURES.length);
  });
});

describe('the cue lexicon', () => {
  it('has one feature per group, in order, and every phrase is one to three tokens', () => {
    const groups = CUE_GROUP_NAMES.filter((g) => g !== 'numberWord' && g !== 'topicSwitch');
    expect(CONTENT_FEATURES.filter((f) => f.startsWith('cue_'))).toEqual(
      groups.map(cueFeatureName),
    );
    for (const g of CUE_GROUP_NAMES) {
      for (const phrase of CUE_GROUPS[g] as readonly string[]) {
        const n = phraseTokens(phrase).length;
        expect([phrase, n >= 1 && n <= 3]).toEqual([phrase, true]);
      }
    }
  });
});
