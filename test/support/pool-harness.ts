/** The fakes and harness of the pool specs (`src/providers/*.spec.ts`): a pool of scripted replicas. */
import { Observable, type Subscriber } from 'rxjs';
import { ErrorCode, ErrorMessages, GatewayException } from '../../src/common/errors';
import type { ChatCompletion, ChatCompletionChunk } from '../../src/common/openai/chat.types';
import type { PoolConfig } from '../../src/config';
import type { PoolObserver } from '../../src/providers/pool-observer';
import type { ReplicaState, ReplicaTransport } from '../../src/providers/replica';
import type { ProbeResult, ReplicaProber } from '../../src/providers/replica-probe';
import type {
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from '../../src/providers/upstream.interface';
import { UpstreamPool, type UpstreamPoolOptions } from '../../src/providers/upstream-pool';

export type Answer = () => Promise<UpstreamJson<ChatCompletion>>;
type StreamScript = (subscriber: Subscriber<UpstreamChunk<ChatCompletionChunk>>) => void;

/** A replica that answers what the test scripts, and records what it was asked. */
export class FakeTransport implements ReplicaTransport {
  calls: UpstreamCallOptions[] = [];
  answers: Answer[] = [];
  streams: StreamScript[] = [];
  responseAnswers: (() => Promise<UpstreamJson<Record<string, unknown>>>)[] = [];
  unsubscribed = 0;

  constructor(readonly name: string) {}

  chat(_body: unknown, options: UpstreamCallOptions): Promise<UpstreamJson<ChatCompletion>> {
    this.calls.push(options);
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    return next ? next() : Promise.resolve(completion(this.name));
  }

  chatStream(_body: unknown, options: UpstreamCallOptions): Observable<UpstreamChunk<any>> {
    return new Observable((subscriber) => {
      this.calls.push(options);
      const script = this.streams.length > 1 ? this.streams.shift()! : this.streams[0];
      if (script) script(subscriber);
      else {
        subscriber.next(chunk({ role: 'assistant', content: '' }));
        subscriber.next(chunk({ content: this.name }));
        subscriber.complete();
      }
      return () => this.unsubscribed++;
    });
  }

  /** The replica's own `/v1/responses`: the scripted answers, else one naming this replica. */
  responses(
    _body: unknown,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<Record<string, unknown>>> {
    this.calls.push(options);
    const next = this.responseAnswers.shift();
    if (next) return next();
    const value = { id: `resp_${this.name}`, object: 'response', output: [] };
    return Promise.resolve({ raw: JSON.stringify(value), value });
  }

  /** Streams run the same scripts as {@link chatStream}. */
  responsesStream(_body: unknown, options: UpstreamCallOptions): Observable<UpstreamChunk<any>> {
    return this.chatStream(_body, options);
  }

  completions = (): never => {
    throw new Error('not used');
  };
  completionsStream = (): never => {
    throw new Error('not used');
  };
  embeddings = (): never => {
    throw new Error('not used');
  };
  close = (): Promise<void> => Promise.resolve();
  destroy = (): Promise<void> => Promise.resolve();
}

export class FakeProbe implements ReplicaProber {
  result: ProbeResult = { ok: true, status: 200 };
  body = '';
  get(_path: string, _timeoutMs: number, readBody: boolean): Promise<ProbeResult> {
    return Promise.resolve(readBody ? { ...this.result, body: this.body } : this.result);
  }
  close = (): Promise<void> => Promise.resolve();
}

export function completion(content: string): UpstreamJson<ChatCompletion> {
  const value = {
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  } as unknown as ChatCompletion;
  return { raw: JSON.stringify(value), value };
}

export function chunk(
  delta: Record<string, unknown>,
  finish: string | null = null,
): UpstreamChunk<any> {
  const value = {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return { raw: JSON.stringify(value), chunk: value };
}

export const unreachable = (): GatewayException =>
  new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
    upstream: { origin: 'x' },
  });
export const failWith =
  (error: unknown): Answer =>
  () =>
    Promise.reject(error);
export const pending = (): { answer: Answer; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<UpstreamJson<ChatCompletion>>(
    (r) => (resolve = () => r(completion('late'))),
  );
  return { answer: () => promise, resolve };
};

export function poolConfig(replicas: number, over: Partial<PoolConfig> = {}): PoolConfig {
  return {
    name: 'p',
    maxConnections: 64,
    connectTimeoutMs: 1000,
    maxResponseBytes: 1024 * 1024,
    maxStreamLineBytes: 64 * 1024,
    streaming: true,
    responsesApi: 'bridge',
    upstreams: Array.from({ length: replicas }, (_, i) => ({
      url: `http://10.0.0.${i + 1}:8000/v1`,
      weight: 1,
      tls: { rejectUnauthorized: true },
    })),
    balancing: 'least-outstanding',
    maxConcurrency: 64,
    queueSize: 16,
    healthCheck: {
      enabled: false,
      path: '/health',
      intervalMs: 60_000,
      timeoutMs: 100,
      healthyThreshold: 1,
      unhealthyThreshold: 1,
      verifyIntervalMs: 0,
    },
    outlier: { consecutiveFailures: 3, ejectionMs: 1000, maxEjectionMs: 8000 },
    retries: { maxAttempts: 3, backoffBaseMs: 0, backoffMaxMs: 0, maxRetryAfterMs: 10_000 },
    loadAware: { metricsPath: '/metrics', scrapeIntervalMs: 60_000, staleAfterMs: 1000 },
    prefixAffinity: { enabled: false, loadFactor: 1.25 },
    ...over,
  };
}

export interface Harness {
  pool: UpstreamPool;
  transports: FakeTransport[];
  probes: FakeProbe[];
  events: string[];
  clock: { now: number };
}

export function harness(config: PoolConfig, options: UpstreamPoolOptions = {}): Harness {
  const transports: FakeTransport[] = [];
  const probes: FakeProbe[] = [];
  const events: string[] = [];
  const clock = { now: 1_000_000 };
  const observer: PoolObserver = {
    stateChanged: (_pool, replica, from: ReplicaState, to: ReplicaState) =>
      events.push(`${transports[replica.index].name}:${from}->${to}`),
    retried: (_pool, kind) => events.push(`retry:${kind}`),
    shed: (_pool, reason) => events.push(`shed:${reason}`),
  };
  const pool = new UpstreamPool(config, {
    observer,
    now: () => clock.now,
    createTransport: () => {
      const t = new FakeTransport(String.fromCharCode(65 + transports.length));
      transports.push(t);
      return t;
    },
    createProbe: () => {
      const p = new FakeProbe();
      probes.push(p);
      return p;
    },
    ...options,
  });
  return { pool, transports, probes, events, clock };
}

export const call = (extra: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions => ({
  signal: new AbortController().signal,
  requestId: 'r',
  timeoutMs: 5000,
  ...extra,
});
export const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
export const answerOf = (json: UpstreamJson<ChatCompletion>): string =>
  String(json.value.choices[0].message.content);

/** Collects a stream's items (their content) and its end. */
export function collect(source: Observable<UpstreamChunk<ChatCompletionChunk>>): Promise<{
  items: string[];
  error?: unknown;
}> {
  return new Promise((resolve) => {
    const items: string[] = [];
    source.subscribe({
      next: (item) => {
        const delta = item.chunk.choices[0]?.delta as { role?: string; content?: string };
        items.push(delta.role ? `role:${delta.content ?? ''}` : String(delta.content));
      },
      error: (error: unknown) => resolve({ items, error }),
      complete: () => resolve({ items }),
    });
  });
}

export async function waitUntil(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
