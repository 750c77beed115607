import { callerWantsUsage, streamingUpstreamBody } from './usage-request';

describe('streamingUpstreamBody and callerWantsUsage', () => {
  it.each([
    [undefined, false],
    [null, false],
    [{}, false],
    [{ include_usage: false }, false],
    [{ include_usage: true }, true],
    [{ include_usage: false, continuous_usage_stats: true }, false],
  ])(
    'stream_options %j: the caller wants usage: %s; the upstream is always asked',
    (options, wants) => {
      const body = { model: 'instant', prompt: 'hi', stream: true, stream_options: options };
      expect(callerWantsUsage(body)).toBe(wants);
      expect(streamingUpstreamBody(body, 'qwen-7b')).toEqual({
        model: 'qwen-7b',
        prompt: 'hi',
        stream: true,
        stream_options: { ...options, include_usage: true },
      });
      expect(body.model).toBe('instant');
    },
  );
});
