import type { ChatCompletion, ChatCompletionChunk } from '../../common/openai';
import { StreamReasoningNormalizer, normalizeCompletion } from './reasoning-normalizer';

function completion(message: Record<string, unknown>): ChatCompletion {
  return {
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }],
  };
}

function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
  index = 0,
): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index, delta, finish_reason: finish }],
  };
}

/** Runs content pieces through a normaliser and joins what the caller would see. */
function run(
  pieces: Array<Record<string, unknown>>,
  mode: 'passthrough' | 'strip' = 'passthrough',
) {
  const normalizer = new StreamReasoningNormalizer(mode);
  let content = '';
  let reasoning = '';
  const sawReasoningField: boolean[] = [];
  pieces.forEach((delta, i) => {
    const c = chunk({ ...delta }, i === pieces.length - 1 ? 'stop' : null);
    normalizer.apply(c);
    const d = c.choices[0].delta;
    content += d.content ?? '';
    reasoning += d.reasoning_content ?? '';
    sawReasoningField.push('reasoning' in d);
  });
  return { content, reasoning, sawReasoningField: sawReasoningField.some(Boolean) };
}

describe('normalizeCompletion', () => {
  it.each([
    ['reasoning_content', { content: 'answer', reasoning_content: 'because' }],
    ['reasoning (vLLM ≥ 0.10)', { content: 'answer', reasoning: 'because' }],
    ['inline <think>', { content: '<think>because</think>\n\nanswer' }],
    ['inline <think> after whitespace', { content: '\n <think>because</think>answer' }],
  ])('%s → reasoning_content in passthrough mode', (_shape, message) => {
    const c = completion(message);
    normalizeCompletion(c, 'passthrough');
    expect(c.choices[0].message).toEqual({
      role: 'assistant',
      content: 'answer',
      reasoning_content: 'because',
    });
  });

  it.each([
    ['reasoning_content', { content: 'answer', reasoning_content: 'because' }],
    ['reasoning', { content: 'answer', reasoning: 'because' }],
    ['inline <think>', { content: '<think>because</think>answer' }],
  ])('%s → removed in strip mode', (_shape, message) => {
    const c = completion(message);
    expect(normalizeCompletion(c, 'strip')).toBe(true);
    expect(c.choices[0].message).toEqual({ role: 'assistant', content: 'answer' });
  });

  it('reports no change for plain content, so the raw upstream text is forwarded', () => {
    expect(normalizeCompletion(completion({ content: 'plain answer' }), 'passthrough')).toBe(false);
    expect(
      normalizeCompletion(completion({ content: 'x', reasoning_content: 'y' }), 'passthrough'),
    ).toBe(false);
  });

  it('an unclosed <think> (cut by max_tokens) is all reasoning', () => {
    const c = completion({ content: '<think>still thinking' });
    normalizeCompletion(c, 'passthrough');
    expect(c.choices[0].message).toMatchObject({
      content: '',
      reasoning_content: 'still thinking',
    });
  });

  it('leaves a <think> that is not at the start of the content alone', () => {
    const c = completion({ content: 'use the <think> tag' });
    expect(normalizeCompletion(c, 'passthrough')).toBe(false);
    expect(c.choices[0].message.content).toBe('use the <think> tag');
  });
});

describe('StreamReasoningNormalizer', () => {
  it.each([
    ['whole tags', ['<think>', 'because', '</think>', 'answer']],
    ['tags split across chunks', ['<thi', 'nk>beca', 'use</th', 'ink>ans', 'wer']],
    ['one chunk', ['<think>because</think>answer']],
    ['leading whitespace', ['\n', '<think>because</think>', '\n\nanswer']],
    ['byte by byte', [...'<think>because</think>answer']],
  ])('inline <think> with %s', (_case, pieces) => {
    const out = run(pieces.map((content) => ({ content })));
    expect(out).toEqual({ content: 'answer', reasoning: 'because', sawReasoningField: false });
  });

  it('reasoning fields are renamed, reasoning_content kept', () => {
    expect(run([{ reasoning: 'be' }, { reasoning: 'cause' }, { content: 'answer' }])).toEqual({
      content: 'answer',
      reasoning: 'because',
      sawReasoningField: false,
    });
    expect(run([{ reasoning_content: 'because' }, { content: 'answer' }])).toMatchObject({
      content: 'answer',
      reasoning: 'because',
    });
  });

  it.each([
    ['reasoning_content', [{ reasoning_content: 'because' }, { content: 'answer' }]],
    ['reasoning', [{ reasoning: 'because' }, { content: 'answer' }]],
    ['inline', [{ content: '<think>because' }, { content: '</think>answer' }]],
  ])('strip mode drops %s', (_case, pieces) => {
    expect(run(pieces, 'strip')).toEqual({
      content: 'answer',
      reasoning: '',
      sawReasoningField: false,
    });
  });

  it('content that only looks like the start of a tag is released unchanged', () => {
    expect(run([{ content: '<th' }, { content: 'is is html' }])).toEqual({
      content: '<this is html',
      reasoning: '',
      sawReasoningField: false,
    });
    // A prefix held back until the stream ends is flushed as content on the finish chunk.
    expect(run([{ content: ' ' }, { content: '<' }])).toMatchObject({ content: ' <' });
  });

  it('plain content passes untouched and unchanged (no re-serialisation)', () => {
    const normalizer = new StreamReasoningNormalizer('passthrough');
    expect(normalizer.apply(chunk({ role: 'assistant', content: '' }))).toBe(false);
    expect(normalizer.apply(chunk({ content: 'Hello' }))).toBe(false);
    expect(normalizer.apply(chunk({ content: ' <think> later is content' }))).toBe(false);
  });

  it('keeps separate state per choice index (n > 1)', () => {
    const normalizer = new StreamReasoningNormalizer('passthrough');
    const a = chunk({ content: '<think>x' }, null, 0);
    const b = chunk({ content: 'plain' }, null, 1);
    normalizer.apply(a);
    normalizer.apply(b);
    expect(a.choices[0].delta).toMatchObject({ content: '', reasoning_content: 'x' });
    expect(b.choices[0].delta.content).toBe('plain');
  });

  it('follows a tag split across chunks in any choice, whatever order the choices come in', () => {
    const normalizer = new StreamReasoningNormalizer('passthrough');
    const seen: Record<number, { content: string; reasoning: string }> = {};
    const feed = (index: number, content: string, finish: string | null = null): void => {
      const c = chunk({ content }, finish, index);
      normalizer.apply(c);
      const d = c.choices[0].delta;
      const into = (seen[index] ??= { content: '', reasoning: '' });
      into.content += d.content ?? '';
      into.reasoning += d.reasoning_content ?? '';
    };
    feed(2, '<thi');
    feed(0, 'plain ');
    feed(1, '<think>why');
    feed(2, 'nk>because</th');
    feed(1, '</think>so');
    feed(0, 'answer', 'stop');
    feed(2, 'ink>answer', 'stop');
    feed(1, '', 'stop');
    expect(seen).toEqual({
      0: { content: 'plain answer', reasoning: '' },
      1: { content: 'so', reasoning: 'why' },
      2: { content: 'answer', reasoning: 'because' },
    });
  });
});
