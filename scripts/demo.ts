/**
 * `npm run demo`: two simulators (an instant and a thinking pool) and the real gateway, wired
 * together on this machine, with working curl commands. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startSimulator } from '../test/simulator';

const KEY = 'demo-key';
const PORT = process.env.PORT ?? '9000';

async function main(): Promise<void> {
  const instant = await startSimulator({
    model: 'demo-instant-7b',
    name: 'instant',
    behavior: { tokens: 24, tokenIntervalMs: 15 },
  });
  const thinking = await startSimulator({
    model: 'demo-thinking-32b',
    name: 'thinking',
    behavior: {
      tokens: 40,
      tokenIntervalMs: 30,
      ttftMs: 300,
      reasoning: 'reasoning_content',
      reasoningTokens: 12,
    },
  });
  const root = join(__dirname, '..', '..');
  const gateway = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT,
      HOST: '127.0.0.1',
      INSTANT_UPSTREAMS: instant.url,
      INSTANT_MODEL: instant.model,
      THINKING_UPSTREAMS: thinking.url,
      THINKING_MODEL: thinking.model,
      GATEWAY_API_KEYS: KEY,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    gateway.kill('SIGTERM');
    await Promise.all([instant.close(), thinking.close()]);
    process.exit(code);
  };
  gateway.on('exit', (code) => {
    if (!stopping) {
      console.error(`gateway exited with code ${code}`);
      void stop(code ?? 1);
    }
  });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${base}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const curl = (model: string, content: string, extra = ''): string =>
    `curl -s ${base}/v1/chat/completions -H 'authorization: Bearer ${KEY}' -H 'content-type: application/json' \\\n` +
    `  -d '{"model":"${model}","messages":[{"role":"user","content":"${content}"}]${extra}}'`;
  console.log(`
Tiergate demo
  instant simulator  ${instant.url}  (model ${instant.model})
  thinking simulator ${thinking.url}  (model ${thinking.model})
  gateway            ${base}  (key: ${KEY})

Try it (the x-gateway-* headers say where each request went; add -i to see them):

# instant tier
${curl('instant', 'Say hello')}

# thinking tier (reasoning arrives as reasoning_content)
${curl('thinking', 'Prove that there are infinitely many primes')}

# auto: the classifier decides (reasoning_effort is a hint)
${curl('auto', 'How many r are in strawberry?', ',"reasoning_effort":"high"')}

# streaming
curl -sN ${base}/v1/chat/completions -H 'authorization: Bearer ${KEY}' -H 'content-type: application/json' \\
  -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Tell me a joke"}]}'

# models, health, API docs
curl -s ${base}/v1/models -H 'authorization: Bearer ${KEY}'
curl -s ${base}/health/ready
open ${base}/docs

Ctrl-C stops the gateway and the simulators.
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
