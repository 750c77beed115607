import { isCommitChunk } from './commit-point';

const chat = (delta: Record<string, unknown>, finish: string | null = null) => ({
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe('stream commit point', () => {
  it.each<[string, { choices: unknown[] }, boolean]>([
    ["vLLM's role chunk", chat({ role: 'assistant', content: '' }), false],
    ['an empty delta', chat({}), false],
    ['a null content', chat({ content: null }), false],
    ['content', chat({ content: 'Hi' }), true],
    ['reasoning_content', chat({ reasoning_content: 'Let me think' }), true],
    ['reasoning', chat({ reasoning: 'Hmm' }), true],
    ['a refusal', chat({ refusal: 'No' }), true],
    ['a tool call', chat({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f' } }] }), true],
    ['a finish reason', chat({}, 'stop'), true],
    ['the usage chunk', { choices: [] }, true],
    [
      'a legacy completion with text',
      { choices: [{ index: 0, text: 'Once', finish_reason: null }] },
      true,
    ],
    [
      'a legacy completion without',
      { choices: [{ index: 0, text: '', finish_reason: null }] },
      false,
    ],
    [
      'any of several choices (n > 1)',
      {
        choices: [
          { index: 0, delta: {} },
          { index: 1, delta: { content: 'x' } },
        ],
      },
      true,
    ],
  ])('%s → %s', (_what, chunk, commit) => {
    expect(isCommitChunk(chunk)).toBe(commit);
  });
});
