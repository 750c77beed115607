import { RedisFailureWatch } from './redis-failure-watch';

describe('RedisFailureWatch', () => {
  const setup = () => {
    const lines: string[] = [];
    const watch = new RedisFailureWatch(
      { warn: (m) => lines.push(`warn ${m}`), log: (m) => lines.push(`log ${m}`) },
      { failing: (reason) => `failing: ${reason}`, recovered: () => 'recovered' },
    );
    return { lines, watch };
  };

  it('answers what the command answers and logs nothing while Redis works', async () => {
    const { lines, watch } = setup();
    await expect(watch.run(() => Promise.resolve(7))).resolves.toBe(7);
    expect(lines).toEqual([]);
    expect(watch.failure).toBeUndefined();
  });

  it('logs the first failure of a burst once, rethrows each, and logs the recovery once', async () => {
    const { lines, watch } = setup();
    const boom = () => Promise.reject(new Error('ECONNREFUSED'));
    await expect(watch.run(boom)).rejects.toThrow('ECONNREFUSED');
    await expect(watch.run(boom)).rejects.toThrow('ECONNREFUSED');
    expect(watch.failure).toBe('ECONNREFUSED');
    await watch.run(() => Promise.resolve(1));
    await watch.run(() => Promise.resolve(2));
    expect(lines).toEqual(['warn failing: ECONNREFUSED', 'log recovered']);
    expect(watch.failure).toBeUndefined();
  });
});
