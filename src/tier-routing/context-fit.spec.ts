import type { ChatMessage } from '../common/openai';
import { truncateOldest } from './context-fit';

const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

describe('context fit', () => {
  it('keeps a conversation that already fits', () => {
    const messages = [user('hi')];
    expect(truncateOldest(messages, 100)).toEqual({ messages, dropped: 0 });
  });

  it('drops the oldest turns first and keeps the system prompt and the last turn', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 's' },
      user('a'.repeat(400)),
      assistant('b'.repeat(400)),
      user('c'.repeat(40)),
    ];
    // system 5, first user 104, assistant 104, last user 14 tokens
    const result = truncateOldest(messages, 130)!;
    expect(result.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user']);
    expect(result.dropped).toBe(1);
    const tighter = truncateOldest(messages, 29)!;
    expect(tighter.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('never separates a tool call from its results', () => {
    const messages: ChatMessage[] = [
      user('q'.repeat(40)),
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: '1', type: 'function', function: { name: 'f', arguments: 'x'.repeat(400) } },
        ],
      },
      { role: 'tool', tool_call_id: '1', content: 'r'.repeat(400) },
      user('last'),
    ];
    const result = truncateOldest(messages, 10)!;
    expect(result.messages).toEqual([user('last')]);
    // user 14, assistant call 105, tool result 104, last user 5 tokens
    const partial = truncateOldest(messages, 220)!;
    expect(partial.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'user']);
    const noRoomForTheGroup = truncateOldest(messages, 200)!;
    expect(noRoomForTheGroup.messages.map((m) => m.role)).toEqual(['user']);
  });

  it('gives up when the last turn alone does not fit', () => {
    expect(truncateOldest([user('x'.repeat(4000))], 100)).toBeUndefined();
  });
});
