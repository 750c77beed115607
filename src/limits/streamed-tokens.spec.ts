import { Admission } from './admission';
import { streamedTokens } from './streamed-tokens';

const caller = { keyName: 'k', policy: { limits: {} } };
const chunk = (delta: Record<string, unknown>) => ({ choices: [{ index: 0, delta }] });

describe('streamedTokens', () => {
  it.each<[string, unknown, number]>([
    ['not a chunk', 'x', 0],
    ['the usage-only chunk', { choices: [], usage: { total_tokens: 9 } }, 0],
    ['a role-only delta', chunk({ role: 'assistant' }), 0],
    ['one short piece: at least one token', chunk({ content: 'a' }), 1],
    ['forty ASCII characters', chunk({ content: 'x'.repeat(40) }), 10],
    ['reasoning', chunk({ reasoning_content: 'abcd' }), 1],
    [
      'tool-call arguments',
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
      2,
    ],
    ['legacy completions text', { choices: [{ index: 0, text: 'abcdefgh' }] }, 2],
    ['two choices', { choices: [{ delta: { content: 'a' } }, { delta: { content: 'b' } }] }, 2],
  ])('%s', (_name, value, tokens) => {
    expect(streamedTokens(value)).toBe(tokens);
  });
});

describe('Admission.chargedTokens (issue 13, finding 8)', () => {
  const admission = () =>
    new Admission(caller, 'chat', 'auto', true, { window: 0, leaseId: 'l', tokens: 1029 }, 5);

  it.each<[string, (a: Admission) => void, 'ok' | 'error' | 'aborted', number]>([
    ['no usage, nothing streamed, success: the reservation', () => undefined, 'ok', 1029],
    ['no usage, nothing streamed, error: nothing', () => undefined, 'error', 0],
    [
      'aborted after 300 chunks, no usage: prompt and what was streamed',
      (a) => {
        for (let i = 0; i < 300; i++) a.addStreamed(chunk({ content: 'tok' }));
      },
      'aborted',
      305,
    ],
    [
      'usage reported after the stream: the usage alone',
      (a) => {
        a.addStreamed(chunk({ content: 'tok' }));
        a.addUsage({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
      },
      'ok',
      6,
    ],
    [
      'a reported round, then an unreported one: both',
      (a) => {
        a.addUsage({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 });
        for (let i = 0; i < 10; i++) a.addStreamed(chunk({ content: 'tok' }));
      },
      'aborted',
      21,
    ],
  ])('%s', (_name, act, outcome, charged) => {
    const a = admission();
    act(a);
    expect(a.chargedTokens(outcome)).toBe(charged);
  });
});
