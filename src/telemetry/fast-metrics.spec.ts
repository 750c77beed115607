import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FastCounter, FastGauge, FastHistogram } from './fast-metrics';

/** The same updates through prom-client's classes and ours must render the same text. */
describe('fast metrics render as prom-client does', () => {
  const labelNames = ['operation', 'model', 'tier'] as const;
  const updates: [Record<(typeof labelNames)[number], string>, number][] = [
    [{ operation: 'chat', model: 'instant', tier: 'instant' }, 0.004],
    [{ operation: 'chat', model: 'instant', tier: 'instant' }, 0.25],
    [{ operation: 'chat', model: 'auto', tier: 'thinking' }, 3],
    [{ operation: 'chat', model: 'a"b\\c\nd', tier: 'thinking' }, 120],
    [{ operation: 'chat', model: 'instant', tier: 'instant' }, 0.1],
    [{ operation: 'embeddings', model: 'e', tier: '' }, 0],
  ];
  const buckets = [0.01, 0.1, 1, 10, 60];

  async function render(build: (registry: Registry) => void): Promise<string> {
    const registry = new Registry();
    build(registry);
    return registry.metrics();
  }

  it('histogram', async () => {
    const theirs = await render((registers) => {
      const h = new Histogram({
        name: 'h',
        help: 'help',
        labelNames,
        buckets,
        registers: [registers],
      });
      for (const [labels, value] of updates) h.observe(labels, value);
    });
    const ours = await render((registers) => {
      const h = new FastHistogram({
        name: 'h',
        help: 'help',
        labelNames,
        buckets,
        registers: [registers],
      });
      for (const [labels, value] of updates) h.observe(labels, value);
    });
    expect(ours).toBe(theirs);
    expect(ours).toContain('h_bucket{le="0.1",operation="chat",model="instant",tier="instant"} 2');
  });

  it('counter', async () => {
    const theirs = await render((registers) => {
      const c = new Counter({ name: 'c_total', help: 'help', labelNames, registers: [registers] });
      for (const [labels, value] of updates) c.inc(labels, value);
    });
    const ours = await render((registers) => {
      const c = new FastCounter({
        name: 'c_total',
        help: 'help',
        labelNames,
        registers: [registers],
      });
      for (const [labels, value] of updates) c.inc(labels, value);
    });
    expect(ours).toBe(theirs);
  });

  it('gauge', async () => {
    const theirs = await render((registers) => {
      const g = new Gauge({ name: 'g', help: 'help', labelNames, registers: [registers] });
      for (const [labels] of updates) g.inc(labels);
      g.dec(updates[0][0]);
    });
    const ours = await render((registers) => {
      const g = new FastGauge({ name: 'g', help: 'help', labelNames, registers: [registers] });
      for (const [labels] of updates) g.inc(labels);
      g.dec(updates[0][0]);
    });
    expect(ours).toBe(theirs);
  });

  it('refuses what prom-client refuses', () => {
    const registry = new Registry();
    const c = new FastCounter({ name: 'c', help: 'h', labelNames, registers: [registry] });
    expect(() => c.inc({ operation: 'chat' }, -1)).toThrow(RangeError);
    const h = new FastHistogram({
      name: 'h',
      help: 'h',
      labelNames,
      buckets,
      registers: [registry],
    });
    expect(() => h.observe({ operation: 'chat' }, Number.NaN)).toThrow(RangeError);
    expect(
      () => new FastCounter({ name: 'c', help: 'h', labelNames, registers: [registry] }),
    ).toThrow(/already been registered/);
  });

  it('starts over on reset', async () => {
    const registry = new Registry();
    const c = new FastCounter({ name: 'c', help: 'h', labelNames, registers: [registry] });
    c.inc({ operation: 'chat' });
    registry.resetMetrics();
    expect(await registry.metrics()).toBe('# HELP c h\n# TYPE c counter\n');
  });

  it('renders any sequence of updates as prom-client does (property)', async () => {
    // Few values, so that series repeat; numbers and their text are one series in both.
    const value = fc.oneof(
      fc.constantFrom('chat', 'instant', 'a"b', '', '200'),
      fc.constantFrom(200, 429),
    );
    const labels = fc.record({ operation: value, model: value, tier: value });
    const update = fc.tuple(labels, fc.double({ min: 0, max: 100, noNaN: true }));
    await fc.assert(
      fc.asyncProperty(fc.array(update, { maxLength: 40 }), async (sequence) => {
        const theirs = await render((registers) => {
          const h = new Histogram({
            name: 'h',
            help: 'h',
            labelNames,
            buckets,
            registers: [registers],
          });
          const c = new Counter({ name: 'c', help: 'h', labelNames, registers: [registers] });
          for (const [l, v] of sequence) {
            h.observe(l, v);
            c.inc(l, v);
          }
        });
        const ours = await render((registers) => {
          const h = new FastHistogram({
            name: 'h',
            help: 'h',
            labelNames,
            buckets,
            registers: [registers],
          });
          const c = new FastCounter({ name: 'c', help: 'h', labelNames, registers: [registers] });
          for (const [l, v] of sequence) {
            h.observe(l, v);
            c.inc(l, v);
          }
        });
        expect(ours).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps one series without label names', async () => {
    const registry = new Registry();
    const c = new FastCounter({ name: 'c', help: 'h', labelNames: [], registers: [registry] });
    c.inc({});
    c.inc({}, 2);
    expect(await registry.metrics()).toBe('# HELP c h\n# TYPE c counter\nc 3\n');
  });
});
