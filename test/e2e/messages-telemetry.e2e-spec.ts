import Anthropic from '@anthropic-ai/sdk';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig } from '../../src/config';
import { startSimulator, type RunningSimulator } from '../simulator';
import { TEST_KEY } from './harness';

/**
 * A Messages request is one request to telemetry, like a chat request: one log line with
 * `api: "messages"`, its tier, models and tokens, streamed or not.
 */
describe('the Anthropic front in telemetry', () => {
  let app: NestFastifyApplication;
  let sims: RunningSimulator[];
  let client: Anthropic;
  const logs: string[] = [];

  beforeAll(async () => {
    sims = [
      await startSimulator({ model: 'sim-instant', name: 'instant' }),
      await startSimulator({ model: 'sim-thinking', name: 'thinking' }),
    ];
    const config = loadGatewayConfig({
      HOST: '127.0.0.1',
      INSTANT_UPSTREAMS: sims[0].url,
      INSTANT_MODEL: 'sim-instant',
      THINKING_UPSTREAMS: sims[1].url,
      THINKING_MODEL: 'sim-thinking',
      GATEWAY_API_KEYS: TEST_KEY,
      OTEL_SDK_DISABLED: 'true',
    });
    app = await createGatewayApp(config, {
      logger: false,
      logDestination: { write: (line: string) => void logs.push(line) },
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    client = new Anthropic({
      apiKey: TEST_KEY,
      baseURL: `http://127.0.0.1:${port}`,
      maxRetries: 0,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(sims.map((sim) => sim.close()));
  });

  /** The request lines logged for `id`, once the response has been logged. */
  async function linesOf(id: string): Promise<Record<string, unknown>[]> {
    const find = () =>
      logs
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === 'request completed' && line.request_id === id);
    for (let i = 0; i < 200 && find().length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return find();
  }

  it.each([
    ['msg-log-json', false],
    ['msg-log-stream', true],
  ])('logs one line for %s with api "messages"', async (id, stream) => {
    const params = {
      model: 'instant',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'Hello' }],
    };
    const options = { headers: { 'x-request-id': id } };
    if (stream) await client.messages.stream(params, options).finalMessage();
    else await client.messages.create(params, options);
    const lines = await linesOf(id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      route: '/v1/messages',
      status: 200,
      api: 'messages',
      operation: 'chat',
      tier: 'instant',
      model: 'instant',
      upstream_model: 'sim-instant',
      stream,
    });
    expect(lines[0].tokens_in).toEqual(expect.any(Number));
    expect(lines[0].tokens_out as number).toBeGreaterThan(0);
  });
});
