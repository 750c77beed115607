import { GatewayException } from '../common/errors';
import { parseResponseObject, RESPONSES_STREAM } from './responses-wire';
import type { AttemptTrace } from './attempt-telemetry';

const ORIGIN = 'http://replica:8000';

describe('parseResponseObject', () => {
  it('answers an object with an output list', () => {
    expect(parseResponseObject('{"id":"r","output":[]}', ORIGIN)).toEqual({ id: 'r', output: [] });
  });

  it.each([
    ['not JSON', '{"id":'],
    ['no output list', '{"id":"r"}'],
    ['not an object', '[1]'],
  ])('refuses %s as a malformed upstream answer', (_case, raw) => {
    expect(() => parseResponseObject(raw, ORIGIN)).toThrow(GatewayException);
  });
});

describe('RESPONSES_STREAM', () => {
  const parse = (event: object) => RESPONSES_STREAM.parse(JSON.stringify(event), ORIGIN);

  it('keeps the raw text of an event and reads its type', () => {
    const raw = '{"type":"response.output_text.delta","delta":"hi"}';
    expect(RESPONSES_STREAM.parse(raw, ORIGIN)).toEqual({
      raw,
      chunk: { type: 'response.output_text.delta', delta: 'hi' },
    });
  });

  it.each([
    ['an error event', { type: 'error', message: 'boom' }],
    ['response.failed', { type: 'response.failed', response: {} }],
    ['an event without a type', { delta: 'x' }],
  ])('fails the stream on %s', (_case, event) => {
    expect(() => parse(event)).toThrow(GatewayException);
  });

  it.each([
    ['response.created', false, false],
    ['response.in_progress', false, false],
    ['response.output_item.added', false, false],
    ['response.output_text.delta', true, false],
    ['response.function_call_arguments.delta', true, false],
    ['response.output_item.done', true, false],
    ['response.completed', true, true],
    ['response.incomplete', true, true],
  ])('%s: commit point %s, last %s', (type, commit, last) => {
    expect(RESPONSES_STREAM.isCommit({ raw: '', chunk: { type } })).toBe(commit);
    expect(RESPONSES_STREAM.isLast({ raw: '', chunk: { type } })).toBe(last);
  });

  it('tells the trace the final model and usage only', () => {
    const chunk = jest.fn();
    const trace = { chunk } as unknown as AttemptTrace;
    RESPONSES_STREAM.trace(trace, {
      raw: '',
      chunk: { type: 'response.output_text.delta', delta: 'x' },
    });
    RESPONSES_STREAM.trace(trace, {
      raw: '',
      chunk: {
        type: 'response.completed',
        response: { model: 'm', usage: { input_tokens: 3, output_tokens: 5 } },
      },
    });
    expect(chunk).toHaveBeenCalledTimes(1);
    expect(chunk).toHaveBeenCalledWith({
      model: 'm',
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 5 },
    });
  });
});
