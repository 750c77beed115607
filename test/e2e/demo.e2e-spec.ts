import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort, ROOT } from '../support/built-gateway';

/*
 * `npm run demo` as a newcomer, an IDE or a process manager runs it: the real npm script, its
 * build, the gateway process and the simulators. Every way of stopping it stops everything, and
 * npm returns only once the gateway has exited.
 */

const START_MS = 120_000;
jest.setTimeout(3 * START_MS);

interface Demo {
  npm: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  gatewayPid: number;
  /** The demo's own process (npm execs it): the gateway's parent. */
  demoPid: number;
  /** The gateway's and the simulators' ports. */
  ports: number[];
  base: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startDemo(): Promise<Demo> {
  const port = await freePort();
  let output = '';
  // Its own process group, as a terminal gives it: Ctrl-C is SIGINT to that group.
  const npm = spawn('npm', ['run', 'demo'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  await waitFor(
    () => done || output.includes('stops the gateway and the simulators'),
    START_MS,
    'the demo',
  );
  if (done) throw new Error(`the demo exited early:\n${output}`);
  const gatewayPid = Number(/starting the gateway \(pid (\d+)\)/.exec(output)![1]);
  const ports = [...output.matchAll(/simulator +http:\/\/127\.0\.0\.1:(\d+)\/v1/g)].map((m) =>
    Number(m[1]),
  );
  return {
    npm,
    exited,
    output: () => output,
    gatewayPid,
    demoPid: parentOf(gatewayPid),
    ports: [port, ...ports],
    base: `http://127.0.0.1:${port}`,
  };
}

/** Nothing the demo started is left: no process, no listening port. */
async function expectAllStopped(demo: Demo): Promise<void> {
  expect(alive(demo.gatewayPid)).toBe(false);
  expect(alive(demo.demoPid)).toBe(false);
  for (const port of demo.ports) expect(await listening(port)).toBe(false);
}

describe('npm run demo (a process test)', () => {
  let demo: Demo | undefined;
  afterEach(() => {
    // Only if a test failed half-way: never leave a gateway behind.
    for (const pid of [demo?.gatewayPid, demo?.demoPid, demo?.npm.pid]) {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    demo = undefined;
  });

  it('prints working commands, serves the alias and the embeddings model, and stops everything on SIGTERM', async () => {
    demo = await startDemo();
    expect(demo.output()).toMatch(/\[demo\] compiling the gateway/);
    expect(demo.output()).not.toMatch(/^open /m);
    expect(demo.output()).toContain(`API docs: ${demo.base}/docs`);
    expect(demo.ports).toHaveLength(4);

    const auth = { authorization: 'Bearer demo-key', 'content-type': 'application/json' };
    const models = (await (await fetch(`${demo.base}/v1/models`, { headers: auth })).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m) => m.id)).toEqual(
      expect.arrayContaining([
        'auto',
        'instant',
        'thinking',
        'gpt-4o-mini',
        'embeddings',
        'demo-embed-small',
      ]),
    );
    const alias = await fetch(`${demo.base}/v1/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(alias.status).toBe(200);
    expect(alias.headers.get('x-gateway-route-reason')).toBe('alias:gpt-4o-mini');

    process.kill(demo.npm.pid!, 'SIGTERM');
    expect(await demo.exited).toBe(0);
    // npm returned: by then the gateway has exited and every port is free.
    await expectAllStopped(demo);
  });

  it('stops everything on Ctrl-C (SIGINT to the process group) before the prompt returns', async () => {
    demo = await startDemo();
    process.kill(-demo.npm.pid!, 'SIGINT');
    await demo.exited;
    await expectAllStopped(demo);
  });

  it('does not orphan the gateway when the demo itself is killed (SIGKILL)', async () => {
    demo = await startDemo();
    process.kill(demo.demoPid, 'SIGKILL');
    await demo.exited;
    const { gatewayPid } = demo;
    await waitFor(() => !alive(gatewayPid), 10_000, 'the gateway to exit');
    await expectAllStopped(demo);
  });
});
