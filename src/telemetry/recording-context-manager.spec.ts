import {
  ROOT_CONTEXT,
  TraceFlags,
  createContextKey,
  trace,
  type Context,
} from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { RecordingContextManager } from './recording-context-manager';

describe('RecordingContextManager', () => {
  const KEY = createContextKey('spec');
  const manager = new RecordingContextManager().enable();
  const tracer = new BasicTracerProvider().getTracer('spec');
  const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.NONE,
  });
  const later = (): Promise<Context> => Promise.resolve().then(() => manager.active());

  afterAll(() => manager.disable());

  it('makes any context active for the synchronous run of fn, and restores the outer one', () => {
    const outer = ROOT_CONTEXT.setValue(KEY, 'outer');
    const inner = ROOT_CONTEXT.setValue(KEY, 'inner');
    const seen = manager.with(outer, () => [
      manager.active().getValue(KEY),
      manager.with(inner, () => manager.active().getValue(KEY)),
      manager.active().getValue(KEY),
    ]);
    expect(seen).toEqual(['outer', 'inner', 'outer']);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('passes this and the arguments, and returns what fn returns', () => {
    const target = { n: 2 };
    expect(
      manager.with(
        ROOT_CONTEXT,
        function (this: typeof target, m: number) {
          return this.n * m;
        },
        target,
        21,
      ),
    ).toBe(42);
  });

  it('keeps a context with a recording span active across awaits', async () => {
    const span = tracer.startSpan('tool');
    const recording = trace.setSpan(ROOT_CONTEXT, span);
    await expect(manager.with(recording, later)).resolves.toBe(recording);
    span.end();
  });

  it('does not carry a context without a recording span past the synchronous run', async () => {
    const inside = manager.with(unsampled, () => manager.active());
    expect(inside).toBe(unsampled);
    await expect(manager.with(unsampled, later)).resolves.toBe(ROOT_CONTEXT);
  });

  it('runs a synchronous with inside an asynchronous one, and gives the outer one back', async () => {
    const span = tracer.startSpan('tool');
    const recording = trace.setSpan(ROOT_CONTEXT, span);
    const seen = await manager.with(recording, async () => {
      const inner = manager.with(unsampled, () => manager.active());
      await null;
      return [inner, manager.active()];
    });
    expect(seen).toEqual([unsampled, recording]);
    span.end();
  });

  it('binds functions to a context through the same rule', () => {
    const bound = manager.bind(unsampled, () => manager.active());
    expect(bound()).toBe(unsampled);
  });
});
