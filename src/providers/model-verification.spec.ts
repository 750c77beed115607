import { inspectModels, toolSupportOf, verifyModels } from './model-verification';

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

/** llama-server's answer (tools/server/server-context.cpp, get_res_models), trimmed. */
const LLAMA_MODELS = JSON.stringify({
  models: [{ name: 'tiny', model: 'tiny', capabilities: ['completion'] }],
  object: 'list',
  data: [
    {
      id: 'tiny',
      aliases: ['tiny', 'tiny-chat'],
      tags: [],
      object: 'model',
      owned_by: 'llamacpp',
      meta: { n_ctx: 2048, n_ctx_train: 131072, n_vocab: 256 },
    },
  ],
});

describe('model discovery from a replica’s /v1/models', () => {
  it.each<[string, string, string[], object]>([
    [
      "vLLM's max_model_len",
      JSON.stringify({
        object: 'list',
        data: [
          { id: 'Qwen/Qwen3-8B', object: 'model', owned_by: 'vllm', max_model_len: 32768 },
          { id: 'sql-lora', object: 'model', owned_by: 'vllm', max_model_len: 32768 },
        ],
      }),
      ['Qwen/Qwen3-8B'],
      {
        verdict: 'verified',
        llamaCpp: false,
        models: [
          { id: 'Qwen/Qwen3-8B', contextLength: 32768 },
          { id: 'sql-lora', contextLength: 32768 },
        ],
      },
    ],
    [
      "llama.cpp's meta.n_ctx (the slot's window, not n_ctx_train), its capabilities and aliases",
      LLAMA_MODELS,
      ['tiny-chat'],
      {
        verdict: 'verified',
        llamaCpp: true,
        models: [{ id: 'tiny', contextLength: 2048, serverCapabilities: ['completion'] }],
      },
    ],
    [
      'a context_length field (LM Studio, OpenRouter)',
      JSON.stringify({ data: [{ id: 'm', context_length: 8192 }] }),
      ['m'],
      { verdict: 'verified', llamaCpp: false, models: [{ id: 'm', contextLength: 8192 }] },
    ],
    [
      'a server that says nothing of its window, or nonsense',
      JSON.stringify({
        data: [{ id: 'a' }, { id: 'b', max_model_len: -1 }, { id: 'c', max_model_len: '4096' }],
      }),
      ['a'],
      {
        verdict: 'verified',
        llamaCpp: false,
        models: [
          { id: 'a', contextLength: null },
          { id: 'b', contextLength: null },
          { id: 'c', contextLength: null },
        ],
      },
    ],
    [
      'a replica serving another model: refused, its models still shown',
      JSON.stringify({ data: [{ id: 'other', max_model_len: 1024 }] }),
      ['wanted'],
      {
        verdict: { refusal: { kind: 'model', reason: expect.stringContaining("'wanted'") } },
        llamaCpp: false,
        models: [{ id: 'other', contextLength: 1024 }],
      },
    ],
  ])('%s', (_, body, expected, inspection) => {
    expect(inspectModels({ ok: true, status: 200, body }, expected, PATH)).toEqual(inspection);
  });

  it('shows no models when the answer proves nothing', () => {
    expect(inspectModels({ ok: false, status: 500 }, ['m'], PATH)).toEqual({
      verdict: 'inconclusive',
    });
  });

  it.each<[string, Parameters<typeof toolSupportOf>[0], boolean | undefined]>([
    [
      'llama.cpp /props with tool-call support',
      {
        ok: true,
        body: JSON.stringify({
          chat_template_caps: { supports_tools: true, supports_tool_calls: true },
        }),
      },
      true,
    ],
    [
      'a template without tool calls',
      { ok: true, body: JSON.stringify({ chat_template_caps: { supports_tool_calls: false } }) },
      false,
    ],
    [
      'an older llama.cpp without caps',
      { ok: true, body: JSON.stringify({ total_slots: 4 }) },
      undefined,
    ],
    ['no /props', { ok: false, status: 404 }, undefined],
    ['not JSON', { ok: true, body: 'nope' }, undefined],
  ])('tool support: %s', (_, props, expected) => {
    expect(toolSupportOf(props)).toBe(expected);
  });
});
