import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import { startSimulator, type RunningSimulator } from '../simulator';
import { authHeaders, chat, TEST_KEY } from './harness';

/** `node dist/main.js`, as the container runs it, with a YAML file for the shutdown timings. */
function startGateway(sim: RunningSimulator, shutdown: object): Promise<GatewayProcess> {
  return startBuiltGateway(
    {
      server: { shutdown },
      pools: { instant: { upstreams: [{ url: sim.url }] } },
      tiers: { instant: { pool: 'instant', model: sim.model } },
    },
    { GATEWAY_API_KEYS: TEST_KEY },
    15_000,
  );
}

/** Opens a stream and resolves once its first event has arrived; `rest` reads it to the end. */
async function openStream(url: string): Promise<{ first: string; rest: Promise<string> }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let first = '';
  while (!first.includes('data: ')) {
    const { value, done } = await reader.read();
    if (done) break;
    first += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      return `${text}<cut>`;
    }
  })();
  return { first, rest };
}

describe('graceful shutdown on SIGTERM (docs/api.md §9, real process)', () => {
  let sim: RunningSimulator;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    // `npm test` must pass on a fresh clone, and after a change to src/ without a rebuild.
    ensureBuilt();
    sim = await startSimulator({
      model: 'sim-instant',
      behavior: { tokens: 12, tokenIntervalMs: 100 },
    });
  }, 180_000);
  afterEach(() => {
    if (gateway?.child.exitCode === null) gateway.child.kill('SIGKILL');
    gateway = undefined;
  });
  afterAll(() => sim.close());

  it('readiness turns 503, new connections are refused after the drain delay, the stream completes, exit 0', async () => {
    gateway = await startGateway(sim, { drain_delay_ms: 300, grace_period_ms: 10_000 });
    const { url, child, exited } = gateway;
    const { first, rest } = await openStream(url);
    expect(first).toContain('"role"');

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).details.server).toEqual({
      status: 'down',
      listening: true,
      draining: true,
    });

    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();

    const text = await rest;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
    // The stream took its ~1.2 s to the end, well past the drain delay.
    expect(Date.now() - signalledAt).toBeGreaterThan(800);
    expect(sim.requests().at(-1)!.completed).toBe(true);
  }, 30_000);

  it('a stream still running at the end of the grace period is cut, and the process still exits 0', async () => {
    sim.configure({ tokens: 200 });
    gateway = await startGateway(sim, { drain_delay_ms: 0, grace_period_ms: 400 });
    const { url, child, exited } = gateway;
    const { rest } = await openStream(url);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    expect(await rest).not.toContain('[DONE]');
    sim.reset();
  }, 30_000);
});
