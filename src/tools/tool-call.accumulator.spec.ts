import type { ToolCallDelta } from '../common/openai';
import { ToolCallAccumulator } from './tool-call.accumulator';

function accumulate(...batches: ToolCallDelta[][]) {
  const acc = new ToolCallAccumulator();
  for (const batch of batches) acc.add(batch);
  return acc.calls();
}

describe('ToolCallAccumulator', () => {
  it('joins argument pieces by index, with id and name from the first delta', () => {
    expect(
      accumulate(
        [{ index: 0, id: 'call_a', type: 'function', function: { name: 'add', arguments: '' } }],
        [{ index: 0, function: { arguments: '{"a":' } }],
        [{ index: 0, function: { arguments: '1}' } }],
      ),
    ).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'add', arguments: '{"a":1}' } },
    ]);
  });

  it('keeps interleaved calls apart and returns them in index order', () => {
    const calls = accumulate(
      [{ index: 1, id: 'b', function: { name: 'two', arguments: '{"x"' } }],
      [{ index: 0, id: 'a', function: { name: 'one', arguments: '{' } }],
      [
        { index: 1, function: { arguments: ':2}' } },
        { index: 0, function: { arguments: '}' } },
      ],
    );
    expect(calls.map((c) => [c.id, c.function.name, c.function.arguments])).toEqual([
      ['a', 'one', '{}'],
      ['b', 'two', '{"x":2}'],
    ]);
  });

  it('does not let later deltas rename a call or change its id', () => {
    const [call] = accumulate(
      [{ index: 0, id: 'first', function: { name: 'calc' } }],
      [{ index: 0, id: 'second', function: { name: 'other', arguments: '{}' } }],
    );
    expect([call.id, call.function.name]).toEqual(['first', 'calc']);
  });

  it('gives a call without an id one (some servers omit it)', () => {
    const [call] = accumulate([{ index: 0, function: { name: 'calc', arguments: '{}' } }]);
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it('reassembles a multi-megabyte argument fed a few characters at a time, joining it once', () => {
    // Linear time by operation count, not by the clock (a loaded machine makes any wall-clock
    // bound flaky; speed belongs in bench/): no delta rebuilds the text seen so far.
    const text = JSON.stringify({ blob: 'é🌍x'.repeat(700_000) });
    const acc = new ToolCallAccumulator();
    acc.add([{ index: 0, id: 'c', function: { name: 'big', arguments: '' } }]);
    // A counting wrapper rather than jest.spyOn, which would keep every joined string alive.
    const join = Array.prototype.join;
    let joins = 0;
    Array.prototype.join = function (this: unknown[], separator?: string): string {
      joins += 1;
      return join.call(this, separator);
    };
    try {
      for (let at = 0; at < text.length && joins === 0; at += 7) {
        acc.add([{ index: 0, function: { arguments: text.slice(at, at + 7) } }]);
      }
      expect(joins).toBe(0);
      const [call] = acc.calls();
      expect(joins).toBe(1);
      expect(call.function.arguments).toBe(text);
    } finally {
      Array.prototype.join = join;
    }
  });
});
