import type { Subscriber } from 'rxjs';
import { call, harness, poolConfig, unreachable } from '../../test/support/pool-harness';
import type { ResponsesStreamEvent, UpstreamChunk } from './upstream.interface';

type Events = Subscriber<UpstreamChunk<ResponsesStreamEvent>>;
const event = (type: string, fields: Record<string, unknown> = {}) => {
  const chunk = { type, ...fields };
  return { raw: JSON.stringify(chunk), chunk };
};

function collect(pool: ReturnType<typeof harness>['pool']) {
  return new Promise<{ types: string[]; error?: unknown }>((resolve) => {
    const types: string[] = [];
    pool.responsesStream({ model: 'm', input: 'hi' }, call()).subscribe({
      next: (item) => types.push(item.chunk.type),
      error: (error: unknown) => resolve({ types, error }),
      complete: () => resolve({ types }),
    });
  });
}

describe('UpstreamPool: the replicas’ own /v1/responses', () => {
  it('retries a whole answer on another replica', async () => {
    const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
    transports[0].responseAnswers.push(() => Promise.reject(unreachable()));
    transports[1].responseAnswers.push(() => Promise.reject(unreachable()));
    const answer = await pool.responses({ model: 'm', input: 'hi' }, call());
    expect(answer.value).toMatchObject({ object: 'response' });
    expect(transports.reduce((sum, t) => sum + t.calls.length, 0)).toBe(3);
  });

  it('holds the events before the commit point and retries a failure among them unseen', async () => {
    const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
    const failing = (s: Events) => {
      s.next(event('response.created', { response: {} }));
      s.error(unreachable());
    };
    const good = (s: Events) => {
      s.next(event('response.created', { response: {} }));
      s.next(event('response.output_text.delta', { delta: 'x' }));
      s.next(event('response.completed', { response: {} }));
      s.complete();
    };
    for (const t of transports) t.streams.push(failing as never, good as never);
    const { types, error } = await collect(pool);
    expect(error).toBeUndefined();
    expect(types).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
  });

  it('does not retry after the commit point: the failure reaches the subscriber', async () => {
    const { pool, transports } = harness(poolConfig(2));
    const broken = (s: Events) => {
      s.next(event('response.output_text.delta', { delta: 'x' }));
      s.error(unreachable());
    };
    for (const t of transports) t.streams.push(broken as never);
    const { types, error } = await collect(pool);
    expect(types).toEqual(['response.output_text.delta']);
    expect(error).toBeDefined();
    expect(transports.reduce((sum, t) => sum + t.calls.length, 0)).toBe(1);
  });
});
