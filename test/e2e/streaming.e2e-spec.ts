import { request as httpRequest } from 'node:http';
import { authHeaders, chat, readSse, startStack, withSim, type Stack } from './harness';

async function streamRaw(
  stack: Stack,
  body: Record<string, unknown>,
): Promise<{ res: Response; data: string[]; comments: string[] }> {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ ...body, stream: true }),
  });
  const { data, comments } = await readSse(res);
  return { res, data, comments };
}

describe('streaming (docs/api.md §7)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { STREAM_HEARTBEAT_MS: '200' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  it('frames every chunk as data: …\\n\\n and ends with [DONE]', async () => {
    const { res, data } = await streamRaw(stack, chat('hi', { model: 'instant' }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('forwards one event per upstream chunk, in order, unchanged', async () => {
    const { data } = await streamRaw(
      stack,
      chat('hi', { model: 'instant', x_sim: { content: 'one two three four five' } }),
    );
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('one two three four five');
  });

  it('sends the usage chunk only when the caller asked for it', async () => {
    const without = await streamRaw(stack, chat('hi', { model: 'instant' }));
    expect(
      without.data
        .slice(0, -1)
        .map((d) => JSON.parse(d))
        .filter((c) => c.usage),
    ).toHaveLength(0);
    const withUsage = await streamRaw(
      stack,
      chat('hi', { model: 'instant', stream_options: { include_usage: true } }),
    );
    const chunks = withUsage.data.slice(0, -1).map((d) => JSON.parse(d));
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
  });

  it('parses upstream SSE split across reads at odd offsets with \\r\\n line ends and comments', async () => {
    stack.instant.configure({ splitWrites: true, sseCommentEvery: 2 });
    const { data } = await streamRaw(
      stack,
      chat('hi', { model: 'instant', x_sim: { content: 'héllo wörld 🌍 end' } }),
    );
    expect(data[data.length - 1]).toBe('[DONE]');
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('héllo wörld 🌍 end');
  });

  it('handles an NDJSON upstream stream and still frames SSE for the caller', async () => {
    stack.instant.configure({ mode: 'ndjson' });
    const { data } = await streamRaw(
      stack,
      chat('hi', { model: 'instant', x_sim: { content: 'nd json works' } }),
    );
    expect(data[data.length - 1]).toBe('[DONE]');
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('nd json works');
  });

  it.each(['reasoning_content', 'reasoning', 'think-tags'] as const)(
    'reasoning emitted as %s reaches the caller as reasoning_content',
    async (shape) => {
      stack.thinking.configure({ reasoning: shape });
      const { data } = await streamRaw(
        stack,
        chat('prove it', { model: 'thinking', x_sim: { content: 'the answer' } }),
      );
      const deltas = data.slice(0, -1).map((d) => JSON.parse(d).choices[0]?.delta ?? {});
      const reasoning = deltas.map((d) => d.reasoning_content ?? '').join('');
      const content = deltas.map((d) => d.content ?? '').join('');
      expect(reasoning.length).toBeGreaterThan(0);
      expect(content).toBe('the answer');
      expect(content).not.toContain('<think>');
      expect(deltas.some((d) => 'reasoning' in d)).toBe(false);

      const completion = await stack.client.chat.completions.create(
        withSim(
          { model: 'thinking', messages: [{ role: 'user' as const, content: 'prove it' }] },
          { content: 'the answer' },
        ),
      );
      const message = completion.choices[0].message as {
        content: string;
        reasoning_content?: string;
        reasoning?: string;
      };
      expect(message.content).toBe('the answer');
      expect(message.reasoning_content?.length).toBeGreaterThan(0);
      expect(message.reasoning).toBeUndefined();
    },
  );

  it('sends a : ping comment while nothing arrives', async () => {
    stack.instant.configure({ ttftMs: 700 });
    const { data, comments } = await streamRaw(stack, chat('hi', { model: 'instant' }));
    expect(comments).toContain('ping');
    expect(data[data.length - 1]).toBe('[DONE]');
  });

  it('aborts the upstream stream at once when the caller disconnects', async () => {
    stack.instant.configure({ tokens: 10_000, tokenIntervalMs: 5 });
    const controller = new AbortController();
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await stack.instant.waitFor((s) => s.aborted === 1, 5000);
    expect(stack.instant.requests()[0].aborted).toBe(true);
  });

  it('aborts the upstream request when the caller of a non-streaming request disconnects', async () => {
    stack.instant.configure({ latencyMs: 5000 });
    const controller = new AbortController();
    const pending = fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant' })),
      signal: controller.signal,
    }).catch(() => undefined);
    await stack.instant.waitFor((s) => s.received === 1, 5000);
    controller.abort();
    await pending;
    await stack.instant.waitFor((s) => s.aborted === 1, 5000);
  });

  it('respects backpressure: a slow reader stalls the upstream instead of buffering in the gateway', async () => {
    // ~100k chunks (about 15 MB of SSE): more than every socket buffer on the way can hold.
    stack.instant.configure({ tokens: 100_000 });
    // A caller that reads nothing for a while: the gateway must stop pulling from the upstream.
    const { socketPaused, finish } = await new Promise<{
      socketPaused: () => void;
      finish: Promise<string>;
    }>((resolve) => {
      const req = httpRequest(
        `${stack.url}/v1/chat/completions`,
        { method: 'POST', headers: authHeaders() },
        (res) => {
          res.pause();
          const finish = new Promise<string>((done) => {
            let bytes = 0;
            let tail = '';
            res.on('data', (b: Buffer) => {
              bytes += b.length;
              tail = (tail + b.toString('utf8')).slice(-64);
            });
            res.on('end', () => done(`${bytes}:${tail}`));
          });
          resolve({ socketPaused: () => res.resume(), finish });
        },
      );
      req.end(JSON.stringify(chat('hi', { model: 'instant', stream: true })));
    });
    await stack.instant.waitFor(() => stack.instant.requests()[0]?.blockedWrites > 0, 10_000);
    // Without backpressure the gateway would drain the upstream into memory within this second.
    await new Promise((r) => setTimeout(r, 1000));
    const record = stack.instant.requests()[0];
    expect(record.completed).toBe(false);
    expect(record.aborted).toBe(false);
    socketPaused();
    const summary = await finish;
    expect(summary).toContain('[DONE]');
    await stack.instant.waitFor((s) => s.completed === 1, 10_000);
  });
});
