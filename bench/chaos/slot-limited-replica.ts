import * as http from 'node:http';
import { Pool } from 'undici';

/**
 * A model server with a batch limit, in front of a simulator: at most `slots` requests run at
 * once (vLLM's `max_num_seqs`), the rest wait in its own FIFO queue, and `/metrics` reports
 * both under vLLM's names. The project's simulator serves every request in parallel at the
 * same speed, so on its own no balancing policy could change anyone's latency; with slots,
 * sending work to a busy replica costs queueing time, as on a GPU.
 */
export class SlotLimitedReplica {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly server: http.Server;
  private readonly upstream: Pool;
  port = 0;

  constructor(
    simulatorOrigin: string,
    private readonly slots: number,
  ) {
    this.upstream = new Pool(simulatorOrigin, { connections: 256, pipelining: 1 });
    this.server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      }),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    await this.upstream.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-length': 0 }).end();
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      const kv = this.running / this.slots;
      const body =
        `vllm:num_requests_running{model_name="m"} ${this.running}\n` +
        `vllm:num_requests_waiting{model_name="m"} ${this.waiting.length}\n` +
        `vllm:kv_cache_usage_perc{model_name="m"} ${kv}\n`;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.running >= this.slots) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      const answer = await this.upstream.request({
        method: (req.method ?? 'POST') as 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      });
      const text = await answer.body.text();
      res.writeHead(answer.statusCode, { 'content-type': 'application/json' }).end(text);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
