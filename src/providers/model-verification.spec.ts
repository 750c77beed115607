import { verifyModels } from './model-verification';

const PATH = '/v1/models';
const list = (...ids: string[]) =>
  JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });

describe('verification of a replica by its /v1/models', () => {
  const cases: {
    name: string;
    result: Parameters<typeof verifyModels>[0];
    expected: string[];
    verdict: ReturnType<typeof verifyModels>;
  }[] = [
    {
      name: 'vLLM serving the configured model (and a LoRA adapter)',
      result: { ok: true, status: 200, body: list('Qwen/Qwen3-8B', 'sql-lora') },
      expected: ['Qwen/Qwen3-8B'],
      verdict: 'verified',
    },
    {
      name: "llama-server lists its --alias, with llama.cpp's extra fields",
      result: {
        ok: true,
        status: 200,
        body: JSON.stringify({
          models: [{ name: 'tiny', model: 'tiny' }],
          object: 'list',
          data: [{ id: 'tiny', object: 'model', owned_by: 'llamacpp', meta: { n_ctx: 2048 } }],
        }),
      },
      expected: ['tiny'],
      verdict: 'verified',
    },
    {
      name: 'a hosted API with many ids, serving both models of a shared pool',
      result: { ok: true, status: 200, body: list('a', 'b', 'gpt-x', 'gpt-y', 'e') },
      expected: ['gpt-x', 'gpt-y'],
      verdict: 'verified',
    },
    {
      name: 'the key is rejected (401)',
      result: { ok: false, status: 401, error: 'HTTP 401' },
      expected: ['m'],
      verdict: {
        refusal: {
          kind: 'credentials',
          reason:
            "rejects the gateway's credentials (HTTP 401 on GET /v1/models): check the pool's api_key / <TIER>_API_KEY",
        },
      },
    },
    {
      name: 'the key is forbidden (403)',
      result: { ok: false, status: 403, error: 'HTTP 403' },
      expected: ['m'],
      verdict: { refusal: { kind: 'credentials', reason: expect.stringContaining('HTTP 403') } },
    },
    {
      name: 'the configured model is not listed',
      result: { ok: true, status: 200, body: list('served-a') },
      expected: ['wanted'],
      verdict: {
        refusal: {
          kind: 'model',
          reason: "does not serve model 'wanted' (GET /v1/models lists 'served-a')",
        },
      },
    },
    {
      name: 'a long list is cut in the reason',
      result: { ok: true, status: 200, body: list('1', '2', '3', '4', '5', '6', '7') },
      expected: ['x'],
      verdict: {
        refusal: {
          kind: 'model',
          reason:
            "does not serve model 'x' (GET /v1/models lists '1', '2', '3', '4', '5', … 2 more)",
        },
      },
    },
    {
      name: 'a server without the endpoint proves nothing',
      result: { ok: false, status: 404, error: 'HTTP 404' },
      expected: ['m'],
      verdict: 'inconclusive',
    },
    {
      name: 'a 5xx or no answer proves nothing (liveness is the health check’s business)',
      result: { ok: false, error: 'ECONNREFUSED' },
      expected: ['m'],
      verdict: 'inconclusive',
    },
    {
      name: 'a body that is not a model list proves nothing',
      result: { ok: true, status: 200, body: '<html>ok</html>' },
      expected: ['m'],
      verdict: 'inconclusive',
    },
  ];

  it.each(cases)('$name', ({ result, expected, verdict }) => {
    expect(verifyModels(result, expected, PATH)).toEqual(verdict);
  });
});
