import { ErrorCode, GatewayException } from '../common/errors';
import { installSecrets } from '../common/secrets';
import {
  parseChatCompletion,
  parseStreamChunk,
  parseUpstreamErrorBody,
  upstreamStatusError,
} from './openai-wire.mapper';

const origin = 'http://vllm:8000';

function thrown(fn: () => unknown): GatewayException {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayException) return error;
    throw error;
  }
  throw new Error('expected a GatewayException');
}

describe('openai-wire mapper', () => {
  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['a JSON array', '[1,2]'],
    ['no choices', '{"id":"x"}'],
    ['a choice without message', '{"choices":[{"index":0}]}'],
    ['null', 'null'],
  ])(
    'a chat completion that is %s is a 502 upstream_error, and the body stays out of the message',
    (_what, raw) => {
      const error = thrown(() => parseChatCompletion(raw, origin));
      expect(error.code).toBe(ErrorCode.UpstreamError);
      expect(error.status).toBe(502);
      expect(error.message).not.toContain('<html>');
      expect(error.options.upstream?.body).toBe(raw);
    },
  );

  it('keeps a valid completion as is', () => {
    const raw =
      '{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"}}]}';
    expect(parseChatCompletion(raw, origin).choices[0].message.content).toBe('hi');
  });

  it('stream chunks: OpenAI chunks pass with their raw text; in-band errors and junk throw', () => {
    const raw =
      '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"a"}}]}';
    expect(parseStreamChunk(raw, origin)).toEqual({ raw, chunk: JSON.parse(raw) });
    expect(
      thrown(() => parseStreamChunk('{"error":{"message":"CUDA out of memory"}}', origin)).code,
    ).toBe(ErrorCode.UpstreamError);
    expect(thrown(() => parseStreamChunk('{"foo":1}', origin)).code).toBe(ErrorCode.UpstreamError);
    expect(thrown(() => parseStreamChunk('{bad', origin)).code).toBe(ErrorCode.UpstreamError);
  });

  it('translates Ollama-native NDJSON lines into OpenAI chunks', () => {
    const line =
      '{"model":"llama3","created_at":"2026-11-20T10:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}';
    const { chunk } = parseStreamChunk<{ choices: Array<{ delta: { content?: string } }> }>(
      line,
      origin,
    );
    expect(chunk.choices[0].delta.content).toBe('Hi');
    const last = parseStreamChunk<{
      choices: Array<{ finish_reason: string }>;
      usage?: { total_tokens: number };
    }>(
      '{"model":"llama3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":7}',
      origin,
    ).chunk;
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.usage?.total_tokens).toBe(12);
  });

  it.each([
    [
      400,
      '{"error":{"message":"bad temperature","type":"BadRequestError","param":"temperature","code":400}}',
      400,
      'bad temperature',
      null,
      'temperature',
    ],
    [
      400,
      '{"object":"error","message":"This model\'s maximum context length is 4096 tokens.","type":"BadRequestError","code":400}',
      400,
      "This model's maximum context length is 4096 tokens.",
      'context_length_exceeded',
      null,
    ],
    [
      404,
      '{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","code":404}}',
      404,
      'The model `x` does not exist.',
      null,
      null,
    ],
    [422, 'not json', 422, 'The upstream model server failed (HTTP 422).', null, null],
  ])(
    'upstream %d passes through with status and message',
    (status, body, expectStatus, message, code, param) => {
      const error = upstreamStatusError(status, body, origin);
      expect(error.status).toBe(expectStatus);
      expect(error.toBody()).toEqual({
        error: { message, type: 'invalid_request_error', param, code },
      });
    },
  );

  it.each([401, 403])('an upstream %d is the gateway’s credentials problem: 502', (status) => {
    const error = upstreamStatusError(
      status,
      '{"error":{"message":"invalid key sk-upstream"}}',
      origin,
    );
    expect(error.status).toBe(502);
    expect(error.message).not.toContain('sk-upstream');
  });

  it('an upstream 429 stays a 429 rate_limit_error with its retry-after', () => {
    const error = upstreamStatusError(429, '{}', origin, '3');
    expect(error.status).toBe(429);
    expect(error.toBody().error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    expect(error.headers).toEqual({ 'retry-after': '3' });
  });

  it.each([500, 502, 503, 504])('an upstream %d is a 502 upstream_error', (status) => {
    expect(upstreamStatusError(status, 'Internal error', origin).toBody().error).toMatchObject({
      type: 'api_error',
      code: 'upstream_error',
    });
  });

  it.each<[string, number, string, string]>([
    [
      'llama.cpp 400 exceed_context_size_error',
      400,
      '{"error":{"code":400,"message":"request (3000 tokens) exceeds the available context size (2048 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":3000,"n_ctx":2048}}',
      'request (3000 tokens) exceeds the available context size (2048 tokens), try increasing it',
    ],
    [
      'TGI 422 validation error',
      422,
      '{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048. Given: 2000 `inputs` tokens and 100 `max_new_tokens`","error_type":"validation"}',
      'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 2048. Given: 2000 `inputs` tokens and 100 `max_new_tokens`',
    ],
    [
      'vLLM 400',
      400,
      '{"error":{"message":"This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}}',
      "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
    ],
  ])(
    'a context overflow (%s) is a 400 context_length_exceeded with the detail',
    (_what, status, body, message) => {
      const error = upstreamStatusError(status, body, origin);
      expect(error.status).toBe(400);
      expect(error.toBody()).toEqual({
        error: {
          message,
          type: 'invalid_request_error',
          param: null,
          code: 'context_length_exceeded',
        },
      });
    },
  );

  it.each([
    'Failed to parse tool call arguments as JSON: [json.exception.parse_error.101] parse error',
    'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj',
    'input (3000 tokens) is too large to process. increase the physical batch size (current batch size: 512)',
  ])('a llama.cpp 500 that says the input is invalid is the caller’s 400: %s', (message) => {
    const body = JSON.stringify({ error: { code: 500, message, type: 'server_error' } });
    const error = upstreamStatusError(500, body, origin);
    expect(error.status).toBe(400);
    expect(error.code).toBe(ErrorCode.InvalidValue);
    expect(error.toBody().error).toMatchObject({ message, type: 'invalid_request_error' });
    expect(error.options.upstream?.status).toBe(500);
  });

  it('any other 5xx is a 502 that carries the upstream’s own message', () => {
    const body =
      '{"error":{"code":500,"message":"CUDA error: out of memory","type":"server_error"}}';
    expect(upstreamStatusError(500, body, origin).toBody().error).toEqual({
      message: 'The upstream model server failed (HTTP 500): CUDA error: out of memory',
      type: 'api_error',
      param: null,
      code: 'upstream_error',
    });
  });

  it('relayed messages are scrubbed of configured secrets', () => {
    installSecrets(['sk-upstream-echoed-9876']);
    for (const status of [400, 500]) {
      const body = JSON.stringify({
        error: { message: "bad header 'Authorization: Bearer sk-upstream-echoed-9876'" },
      });
      const error = upstreamStatusError(status, body, origin);
      expect(error.message).not.toContain('sk-upstream-echoed-9876');
      expect(error.message).toContain("Bearer [redacted]'");
    }
  });

  it('parses both vLLM error body shapes', () => {
    expect(parseUpstreamErrorBody('{"error":{"message":"m","code":"c","param":"p"}}')).toEqual({
      message: 'm',
      code: 'c',
      param: 'p',
    });
    expect(parseUpstreamErrorBody('{"object":"error","message":"m","code":400}')).toEqual({
      message: 'm',
      code: undefined,
      param: null,
    });
  });
});
