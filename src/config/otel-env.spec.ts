import { readOtelSettings } from './otel-env';

describe('readOtelSettings (docs/api.md §3: OTEL_*)', () => {
  it.each([
    ['nothing set: no exporter, content not captured', {}, false, false, false],
    [
      'an OTLP endpoint exports',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      false,
      true,
      false,
    ],
    [
      'a traces endpoint exports',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' },
      false,
      true,
      false,
    ],
    [
      'the console exporter, for debugging',
      { OTEL_TRACES_EXPORTER: 'console' },
      false,
      true,
      false,
    ],
    [
      'OTEL_TRACES_EXPORTER=none wins over an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      false,
      false,
      false,
    ],
    ['OTEL_SDK_DISABLED=TRUE, any case', { OTEL_SDK_DISABLED: 'TRUE' }, true, false, false],
    ['OTEL_SDK_DISABLED=false', { OTEL_SDK_DISABLED: 'false' }, false, false, false],
    [
      'content capture is opt-in',
      { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' },
      false,
      false,
      true,
    ],
    ['blank values are unset', { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false, false, false],
  ])('%s', (_name, env, disabled, exporting, captureContent) => {
    expect(readOtelSettings(env)).toMatchObject({ disabled, exporting, captureContent });
  });

  it('says which sampler is chosen, if any', () => {
    expect(readOtelSettings({}).sampler).toBeUndefined();
    expect(readOtelSettings({ OTEL_TRACES_SAMPLER: 'ParentBased_Always_On' }).sampler).toBe(
      'parentbased_always_on',
    );
  });

  it('lists the instrumentations not to load', () => {
    expect(readOtelSettings({}).disabledInstrumentations).toEqual([]);
    expect(
      readOtelSettings({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' Undici, http ,' })
        .disabledInstrumentations,
    ).toEqual(['undici', 'http']);
  });

  it('reports the traces endpoint before the general one', () => {
    expect(
      readOtelSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces',
      }).endpoint,
    ).toBe('http://b:4318/v1/traces');
  });
});
