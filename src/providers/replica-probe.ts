import { Pool } from 'undici';
import type { PoolConfig, UpstreamConfig } from '../config';

export interface ProbeResult {
  ok: boolean;
  status?: number;
  /** The body, when asked for and the answer was 2xx. */
  body?: string;
  /** Why it failed, in a few words (no body, no secret). */
  error?: string;
}

/** What the pool's monitor needs of a probe; a fake in unit specs. */
export interface ReplicaProber {
  get(path: string, timeoutMs: number, readBody: boolean): Promise<ProbeResult>;
  close(): Promise<void>;
}

/**
 * GETs on a replica's origin for active health checks and metric scrapes, over a connection
 * pool of its own: a replica whose inference connections are all busy with long streams must
 * still answer its health check, not queue it behind them.
 */
export class ReplicaProbe implements ReplicaProber {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(upstream: UpstreamConfig, config: Pick<PoolConfig, 'connectTimeoutMs'>) {
    this.pool = new Pool(new URL(upstream.url).origin, {
      connections: 2,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: {
        timeout: config.connectTimeoutMs,
        rejectUnauthorized: upstream.tls.rejectUnauthorized,
      },
    });
    // /v1/models of a hosted API needs the key; /health ignores it.
    this.headers = upstream.apiKey ? { authorization: `Bearer ${upstream.apiKey}` } : {};
  }

  async get(path: string, timeoutMs: number, readBody: boolean): Promise<ProbeResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await this.pool.request({
        method: 'GET',
        path,
        headers: this.headers,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (ok && readBody) return { ok, status: res.statusCode, body: await res.body.text() };
      await res.body.dump();
      return ok
        ? { ok, status: res.statusCode }
        : { ok, status: res.statusCode, error: `HTTP ${res.statusCode}` };
    } catch (error) {
      return {
        ok: false,
        error: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : errorName(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

function errorName(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  return code ?? (error instanceof Error ? error.name : 'failed');
}
