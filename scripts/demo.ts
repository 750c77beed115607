/**
 * `npm run demo` (through scripts/demo-start.js, which builds first): three simulators (an
 * instant, a thinking and an embeddings pool) and the real gateway, wired together on this
 * machine, with working curl commands. Ctrl-C, SIGTERM and SIGHUP stop everything: the demo
 * stops the gateway, waits until it has exited and the simulators are closed, then exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../test/simulator';

const KEY = 'demo-key';
const PORT = process.env.PORT ?? '9000';
/** How long the gateway may take to become ready, and to exit once told to. */
const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;
/**
 * The demo's configuration file: an alias per tier (so the README's examples work) and no
 * drain delay (a demo has no load balancer to tell; the production default is 5 s).
 */
const DEMO_CONFIG = `# Written by npm run demo (scripts/demo.ts).
aliases:
  gpt-4o-mini: instant
  o3-mini: thinking
server:
  shutdown:
    drain_delay_ms: 0
    grace_period_ms: 3000
`;

const log = (line: string): void => void process.stdout.write(`[demo] ${line}\n`);

const simulators: RunningSimulator[] = [];
let gateway: ChildProcess | undefined;
let configDir: string | undefined;
let stopping = false;

/** Stops the gateway (waiting for its exit), closes the simulators, removes the config file. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const child = gateway;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
  await Promise.all(simulators.map((simulator) => simulator.close()));
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (!stopping) log(`${signal}: stopping the gateway and the simulators …`);
    void stop(0);
  });
}
// Whatever started the demo (npm, a shell, an IDE) may die without passing a signal on: the
// demo is then re-parented, and stops as if it had been told to.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop(0);
}, 250).unref();

async function waitUntilReady(base: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    const ready = await fetch(`${base}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Whether something already accepts connections on 127.0.0.1:`port` (an earlier demo, say). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  if (await portInUse(Number(PORT))) {
    console.error(
      `[demo] port ${PORT} is already in use (another demo?); stop it, or run PORT=9100 npm run demo.`,
    );
    return stop(1);
  }
  log('starting the simulators …');
  const instant = await startSimulator({
    model: 'demo-instant-7b',
    name: 'instant',
    behavior: { tokens: 24, tokenIntervalMs: 15 },
  });
  simulators.push(instant);
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
  simulators.push(thinking);
  const embed = await startSimulator({
    model: 'demo-embed-small',
    name: 'embeddings',
    behavior: { embeddingDims: 8 },
  });
  simulators.push(embed);
  if (stopping) return;

  configDir = mkdtempSync(join(tmpdir(), 'tiergate-demo-'));
  const configFile = join(configDir, 'gateway.yaml');
  writeFileSync(configFile, DEMO_CONFIG);
  const base = `http://127.0.0.1:${PORT}`;
  // .tools/scripts/demo.js → the repository root; scripts/demo-start.js built dist/.
  const root = join(__dirname, '..', '..');
  const main = join(root, 'dist', 'main.js');
  const exitWithParent = join(root, 'scripts', 'exit-with-parent.js');
  gateway = spawn(process.execPath, ['--require', exitWithParent, main], {
    // Its own process group: Ctrl-C reaches the demo, which stops the gateway once and waits;
    // exit-with-parent.js stops it should the demo die without doing so.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT,
      HOST: '127.0.0.1',
      GATEWAY_CONFIG: configFile,
      INSTANT_UPSTREAMS: instant.url,
      INSTANT_MODEL: instant.model,
      THINKING_UPSTREAMS: thinking.url,
      THINKING_MODEL: thinking.model,
      EMBEDDINGS_UPSTREAMS: embed.url,
      EMBEDDINGS_MODEL: embed.model,
      GATEWAY_API_KEYS: KEY,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
  });
  log(`starting the gateway (pid ${gateway.pid}) on ${base} …`);
  gateway.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[demo] the gateway exited (${signal ?? `code ${code}`}); stopping.`);
    void stop(code || 1);
  });

  if (!(await waitUntilReady(base))) {
    if (stopping) return;
    console.error(
      `[demo] the gateway was not ready within ${READY_TIMEOUT_MS / 1000} s; stopping.`,
    );
    return stop(1);
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const auth = `-H 'authorization: Bearer ${KEY}'`;
  const json = `${auth} -H 'content-type: application/json'`;
  const curl = (model: string, content: string, extra = ''): string =>
    `curl -s ${base}/v1/chat/completions ${json} \\\n` +
    `  -d '{"model":"${model}","messages":[{"role":"user","content":"${content}"}]${extra}}'`;
  console.log(`
Tiergate demo
  instant simulator    ${instant.url}  (model ${instant.model})
  thinking simulator   ${thinking.url}  (model ${thinking.model})
  embeddings simulator ${embed.url}  (model ${embed.model})
  gateway              ${base}  (key: ${KEY}; aliases: gpt-4o-mini → instant, o3-mini → thinking)

Try it (the x-gateway-* headers say where each request went; add -i to see them):

# instant tier
${curl('instant', 'Say hello')}

# thinking tier (reasoning arrives as reasoning_content)
${curl('thinking', 'Prove that there are infinitely many primes')}

# auto: the classifier decides (reasoning_effort is a hint)
${curl('auto', 'How many r are in strawberry?', ',"reasoning_effort":"high"')}

# an alias (configured in the demo's YAML file)
${curl('gpt-4o-mini', 'Say hello')}

# streaming
curl -sN ${base}/v1/chat/completions ${json} \\
  -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Tell me a joke"}]}'

# embeddings
curl -s ${base}/v1/embeddings ${json} -d '{"model":"embeddings","input":"hello"}'

# models, tools, health
curl -s ${base}/v1/models ${auth}
curl -s ${base}/v1/tools ${auth}
curl -s ${base}/health/ready

API docs: ${base}/docs (open it in a browser)

Ctrl-C (or SIGTERM) stops the gateway and the simulators.
`);
}

main().catch((error) => {
  console.error(error);
  void stop(1);
});
