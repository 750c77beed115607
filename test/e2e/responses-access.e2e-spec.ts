import OpenAI, { APIError } from 'openai';
import { startSimulator } from '../simulator';
import { startYamlGateway, type YamlGateway } from './harness';

const SECRETS = {
  narrow: 'tg-secret-resp-narrow-81c2',
  rpm: 'tg-secret-resp-rpm-4d0e',
  other: 'tg-secret-resp-other-77aa',
} as const;

/** Permissions, limits, per-key stored responses and telemetry of the Responses front. */
describe('POST /v1/responses: keys, limits and telemetry (docs/responses-api.md)', () => {
  let gw: YamlGateway<Record<string, Awaited<ReturnType<typeof startSimulator>>[]>>;
  const client = (key: string): OpenAI =>
    new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 20_000 });

  beforeAll(async () => {
    const instant = await startSimulator({ model: 'sim-instant', name: 'instant' });
    const thinking = await startSimulator({
      model: 'sim-thinking',
      name: 'thinking',
      behavior: { reasoning: 'reasoning_content' },
    });
    gw = await startYamlGateway(
      {
        pools: {
          instant: { upstreams: [{ url: instant.url }] },
          thinking: { upstreams: [{ url: thinking.url }] },
        },
        tiers: {
          instant: { pool: 'instant', model: instant.model },
          thinking: { pool: 'thinking', model: thinking.model },
        },
        auth: {
          keys: [
            {
              name: 'narrow',
              key: SECRETS.narrow,
              allowed_tiers: ['instant'],
              allowed_models: ['auto', 'instant'],
            },
            { name: 'rpm-key', key: SECRETS.rpm, limits: { rpm: 2 } },
            { name: 'other', key: SECRETS.other },
          ],
        },
      },
      { instant: [instant], thinking: [thinking] },
    );
  });
  afterAll(() => gw.close());

  it('a model the key may not use is a 403 permission_error', async () => {
    const error = await client(SECRETS.narrow)
      .responses.create({ model: 'thinking', input: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(403);
    expect((error as APIError).type).toBe('permission_error');
  });

  it('auto with a high effort stays on the tiers the key may use', async () => {
    const { response } = await client(SECRETS.narrow)
      .responses.create({ model: 'auto', input: 'hi', reasoning: { effort: 'high' }, store: false })
      .withResponse();
    expect(response.headers.get('x-gateway-tier')).toBe('instant');
  });

  it("the key's rpm limit applies: the third request in a minute is a 429", async () => {
    const rpm = client(SECRETS.rpm);
    await rpm.responses.create({ model: 'instant', input: 'one', store: false });
    await rpm.responses.create({ model: 'instant', input: 'two', store: false });
    const error = await rpm.responses
      .create({ model: 'instant', input: 'three', store: false })
      .catch((e: unknown) => e);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).code).toBe('rate_limit_exceeded');
  });

  it("a key never reads, continues or deletes another key's stored response", async () => {
    const mine = await client(SECRETS.other).responses.create({ model: 'instant', input: 'mine' });
    const theirs = client(SECRETS.narrow);
    for (const attempt of [
      () => theirs.responses.retrieve(mine.id),
      () => theirs.responses.inputItems.list(mine.id),
      () => theirs.responses.delete(mine.id),
      () =>
        theirs.responses.create({ model: 'instant', input: 'x', previous_response_id: mine.id }),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect((error as APIError).status).toBe(404);
    }
    expect((await client(SECRETS.other).responses.retrieve(mine.id)).id).toBe(mine.id);
  });

  it('counts the requests with api="responses" in /metrics', async () => {
    await client(SECRETS.other).responses.create({ model: 'instant', input: 'hi', store: false });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^tiergate_requests_total\{operation="chat",api="responses",tier="instant",model="instant",status="200"\} [1-9]/m,
    );
  });
});
