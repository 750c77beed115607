import { startSimulator, type RunningSimulator } from './simulator';

/** The llama.cpp flavour answers invalid requests as llama-server does (tiny-gguf README). */
describe('simulator: llama.cpp flavour', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      model: 'tiny',
      contextWindow: 64,
      behavior: { flavor: 'llamacpp', batchTokens: 16 },
    });
  });
  afterAll(() => sim.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it.each<[string, string, unknown, number, RegExp, string]>([
    [
      'malformed JSON',
      '/chat/completions',
      '{x',
      500,
      /^\[json\.exception\.parse_error\.101\]/,
      'server_error',
    ],
    [
      'tool-call arguments that are not JSON',
      '/chat/completions',
      {
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: 'x' },
        ],
      },
      500,
      /^Failed to parse tool call arguments as JSON/,
      'server_error',
    ],
    [
      'an image part',
      '/chat/completions',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }],
          },
        ],
      },
      500,
      /^image input is not supported/,
      'server_error',
    ],
    [
      'a tool without function',
      '/chat/completions',
      { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function' }] },
      500,
      /key 'function' not found/,
      'server_error',
    ],
    [
      'an embeddings input over the batch',
      '/embeddings',
      { input: 'x'.repeat(200) },
      500,
      /^input \(50 tokens\) is too large to process/,
      'server_error',
    ],
    [
      'a prompt over the context',
      '/chat/completions',
      { messages: [{ role: 'user', content: 'x'.repeat(400) }] },
      400,
      /^request \(\d+ tokens\) exceeds the available context size \(64 tokens\)/,
      'exceed_context_size_error',
    ],
  ])('%s → %d with its body', async (_what, path, body, status, message, type) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(status);
    expect(res.body.error.type).toBe(type);
    expect(res.body.error.message).toMatch(message);
  });

  it('serves valid requests as usual', async () => {
    expect(
      (await post('/chat/completions', { messages: [{ role: 'user', content: 'hi' }] })).status,
    ).toBe(200);
    expect((await post('/embeddings', { input: 'short' })).status).toBe(200);
  });

  it('the default flavour stays vLLM: an image part is served', async () => {
    const vllm = await startSimulator({ model: 'm' });
    const res = await fetch(`${vllm.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
      }),
    });
    expect(res.status).toBe(200);
    await vllm.close();
  });
});
