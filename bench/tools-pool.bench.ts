/**
 * Issue 13's acceptance, measured: one request whose last assistant turn carries N pending
 * `run_javascript` calls (150 by default, the caps raised to let them all run), while
 * `/health/live` is probed every 50 ms and the process RSS sampled. Prints the slowest probe and
 * the RSS growth. The gateway and a simulator run in this process (RSS is the gateway's).
 *
 *   npm run bench:tools -- [--calls 150] [--workers 4]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayApp } from '../src/app.factory';
import { loadGatewayConfig } from '../src/config';
import { startSimulator } from '../test/simulator';

const KEY = 'tg-bench-key-0123456789';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const calls = arg('calls', 150);
  const workers = arg('workers', 4);
  const sim = await startSimulator({ model: 'sim', name: 'thinking' });
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-bench-')), 'gateway.yaml');
  writeFileSync(
    file,
    `tools:
  timeout_ms: 60000
  max_calls_per_round: ${Math.max(calls, 1)}
  max_calls_per_request: ${Math.max(calls, 1)}
  sandbox: { max_workers: ${workers}, queue_timeout_ms: 60000 }
  builtin: { run_javascript: { enabled: true } }
`,
  );
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    GATEWAY_CONFIG: file,
    INSTANT_UPSTREAMS: sim.url,
    INSTANT_MODEL: sim.model,
    THINKING_UPSTREAMS: sim.url,
    THINKING_MODEL: sim.model,
    GATEWAY_API_KEYS: KEY,
  });
  const app = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const body = {
    model: 'thinking',
    tools: [{ type: 'function', function: { name: 'run_javascript' } }],
    messages: [
      { role: 'user', content: 'run them all' },
      {
        role: 'assistant',
        content: null,
        tool_calls: Array.from({ length: calls }, (_v, i) => ({
          id: `call_${i}`,
          type: 'function',
          function: {
            name: 'run_javascript',
            arguments: JSON.stringify({
              code: `let s = 0; for (let i = 0; i < 1e5; i++) s += i; s + ${i}`,
            }),
          },
        })),
      },
    ],
  };
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let slowest = 0;
  let probes = 0;
  let finished = false;
  const probe = (async () => {
    while (!finished) {
      const started = performance.now();
      await (await fetch(`${url}/health/live`)).arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  finished = true;
  await probe;
  const mb = (bytes: number) => Math.round(bytes / 1048576);
  console.log(
    JSON.stringify({
      calls,
      maxWorkers: workers,
      status: res.status,
      requestMs: Math.round(ms),
      probes,
      slowestLiveMs: Math.round(slowest),
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(rssPeak),
      rssGrowthMb: mb(rssPeak - rssBefore),
    }),
  );
  await app.close();
  await sim.close();
}

void main();
