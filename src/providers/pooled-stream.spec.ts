import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import {
  chunk,
  poolConfig,
  harness,
  collect,
  waitUntil,
  unreachable,
  call,
  body,
} from '../../test/support/pool-harness';

describe('UpstreamPool: streams (pooled-stream.ts)', () => {
  describe('streams and the commit point', () => {
    it('retries a stream that fails after its role chunk, and the caller sees one clean stream', async () => {
      const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.error(
            new GatewayException(
              ErrorCode.UpstreamError,
              ErrorMessages.upstreamStreamBroken('cut'),
            ),
          );
        },
      ];
      const { items, error } = await collect(pool.chatStream(body, call()));
      expect(error).toBeUndefined();
      expect(items).toEqual(['role:', 'B']);
      expect(events).toContain('retry:broken');
    });

    it('retries a stream that stalls before its first content delta', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.error(
            new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(10)),
          );
        },
      ];
      const { items } = await collect(pool.chatStream(body, call()));
      expect(items).toEqual(['role:', 'B']);
    });

    it('after the first content delta, an error goes to the caller and nothing is retried', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ content: 'Hel' }));
          s.error(
            new GatewayException(
              ErrorCode.UpstreamError,
              ErrorMessages.upstreamStreamBroken('cut'),
            ),
          );
        },
      ];
      const { items, error } = await collect(pool.chatStream(body, call()));
      expect(items).toEqual(['role:', 'Hel']);
      expect(error).toBeInstanceOf(GatewayException);
      expect(transports[1].calls).toHaveLength(0);
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('a tool-call delta is a commit point too', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f' } }] }));
          s.error(unreachable());
        },
      ];
      const { error } = await collect(pool.chatStream(body, call()));
      expect(error).toBeDefined();
      expect(transports[1].calls).toHaveLength(0);
    });

    it('unsubscribing aborts the attempt and frees the replica', async () => {
      const { pool, transports } = harness(poolConfig(1));
      transports[0].streams = [(s) => s.next(chunk({ role: 'assistant', content: '' }))];
      const subscription = pool.chatStream(body, call()).subscribe();
      expect(pool.replicas[0].inFlight).toBe(1);
      subscription.unsubscribe();
      expect(transports[0].unsubscribed).toBe(1);
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('a stream that waited in the queue runs when a replica frees, and completes', async () => {
      const { pool, transports } = harness(poolConfig(1, { maxConcurrency: 1 }));
      transports[0].streams = [
        (s) => s.next(chunk({ content: 'first' })),
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ content: 'second' }));
          s.complete();
        },
      ];
      const holding = pool.chatStream(body, call()).subscribe();
      const waiting = collect(pool.chatStream(body, call()));
      expect(pool.queueDepth).toBe(1);
      holding.unsubscribe();
      expect(await waiting).toEqual({ items: ['role:', 'second'] });
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('leaving while queued or during a retry backoff frees everything', async () => {
      const { pool, transports, events } = harness(poolConfig(1, { maxConcurrency: 1 }));
      transports[0].streams = [(s) => s.next(chunk({ content: 'held' }))];
      const holding = pool.chatStream(body, call()).subscribe();
      const queued = pool.chatStream(body, call()).subscribe();
      expect(pool.queueDepth).toBe(1);
      queued.unsubscribe();
      holding.unsubscribe();
      await waitUntil(() => pool.queueDepth === 0);
      expect(pool.replicas[0].inFlight).toBe(0);

      transports[0].streams = [
        (s) =>
          s.error(
            new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(10)),
          ),
        (s) => s.next(chunk({ content: 'never' })),
      ];
      const calls = transports[0].calls.length;
      const backingOff = pool.chatStream(body, call()).subscribe();
      expect(transports[0].calls.length).toBe(calls + 1);
      expect(events).toContain('retry:timeout');
      backingOff.unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(transports[0].calls.length).toBe(calls + 1);
      expect(pool.replicas[0].inFlight).toBe(0);
    });
  });
});
