import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { parseDockerfile, runtimeOf } from '../../scripts/deploy/dockerfile';
import { DEPLOY_PATHS, GATEWAY_CONTRACT, ROOT } from '../../scripts/deploy/deploy.constants';
import { ensureDist } from '../../scripts/deploy/dist';
import {
  findGatewayWorkload,
  mountedConfigFiles,
  resolveContainerEnv,
  type GatewayWorkload,
} from '../../scripts/deploy/gateway-contract';
import { helmTemplate } from '../../scripts/deploy/helm';
import type { RenderedObject } from '../../scripts/deploy/manifests';
import { startSimulator, type RunningSimulator } from '../simulator';

/**
 * The container as Kubernetes would run it, without Docker: the image's layout (dist/,
 * package.json, node_modules under its WORKDIR), its ENV and CMD taken from the Dockerfile,
 * the chart's environment and ConfigMap files, and nothing writable where the image is
 * read-only. Node runs directly, as PID 1 does in the image, so SIGTERM reaches the gateway.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Every file under `dir` with its size and modification time: what "nothing was written" means. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isSymbolicLink()) {
        out.push(`${path} -> link`);
      } else if (entry.isDirectory()) {
        out.push(`${path}/`);
        walk(path);
      } else {
        const stat = statSync(path);
        out.push(`${path} ${stat.size} ${stat.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

function setReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) setReadOnly(path);
    if (!entry.isSymbolicLink()) chmodSync(path, entry.isDirectory() ? 0o555 : 0o444);
  }
  chmodSync(dir, 0o555);
}

function setWritable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) setWritable(path);
    else chmodSync(path, 0o644);
  }
}

async function status(url: string): Promise<number> {
  return fetch(url).then(
    (response) => response.status,
    () => 0,
  );
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the container start command, as the image and the chart run it (docs/api.md §9)', () => {
  let instant: RunningSimulator;
  let thinking: RunningSimulator;
  let root: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    ensureDist();
    instant = await startSimulator({ model: 'sim-instant-7b', name: 'instant' });
    thinking = await startSimulator({ model: 'sim-thinking-32b', name: 'thinking' });
    root = mkdtempSync(join(tmpdir(), 'tiergate-image-'));
  }, 180_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    if (root) {
      setWritable(root);
      rmSync(root, { recursive: true, force: true });
    }
    await Promise.all([instant?.close(), thinking?.close()]);
  });

  it('starts read-only, passes its probes, serves, and exits 0 on SIGTERM after draining', async () => {
    // 1. The chart, rendered with the simulators as the two pools and a key given inline.
    const values = join(root, 'values.yaml');
    writeFileSync(
      values,
      stringify({
        secrets: { gatewayApiKeys: ['container-test-key'] },
        config: {
          server: { log_level: 'info', shutdown: { drain_delay_ms: 500, grace_period_ms: 5000 } },
          pools: {
            instant: { upstreams: [{ url: instant.url }] },
            thinking: { upstreams: [{ url: thinking.url }] },
          },
          tiers: {
            instant: { pool: 'instant', model: instant.model },
            thinking: { pool: 'thinking', model: thinking.model },
          },
        },
      }),
    );
    const rendered = helmTemplate({ valuesFiles: [values] });
    expect(rendered.error).toBe('');
    const objects: RenderedObject[] = rendered.objects;
    const workload = findGatewayWorkload(objects) as GatewayWorkload;
    expect(typeof workload).toBe('object');
    const pod = workload.pod;

    // 2. The image: its WORKDIR holds dist/, package.json and node_modules (production
    // dependencies in the image; the repository's here), read-only.
    const { stages } = parseDockerfile(readFileSync(DEPLOY_PATHS.dockerfile, 'utf8'));
    const image = runtimeOf(stages[stages.length - 1]);
    expect(image.cmd).toEqual(GATEWAY_CONTRACT.command);
    const workdir = join(root, image.workdir!);
    mkdirSync(workdir, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(workdir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(workdir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(workdir, 'node_modules'), 'dir');
    setReadOnly(workdir);
    const before = snapshot(workdir);

    // 3. The pod: the ConfigMap's files where the container mounts them, the environment the
    // kubelet would give it (the key from the rendered Secret), on a free local port.
    const env = resolveContainerEnv(workload.container, objects);
    expect(env.PORT).toBe('9000');
    for (const [path, text] of mountedConfigFiles(workload, objects)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const port = await freePort();
    const processEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      // The image's user has no home; nothing may depend on one.
      HOME: '/nonexistent',
      ...image.env,
      ...env,
      GATEWAY_CONFIG: join(root, env.GATEWAY_CONFIG),
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    expect(processEnv.NODE_ENV).toBe('production');
    expect(processEnv.GATEWAY_API_KEYS).toBe('container-test-key');

    // 4. CMD ["node", "dist/main.js"] in the WORKDIR, node itself as the process.
    const [command, ...args] = image.cmd!;
    expect(command).toBe('node');
    const started = Date.now();
    child = spawn(process.execPath, args, {
      cwd: workdir,
      env: processEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child!.once('exit', (code) => resolve(code)),
    );

    const base = `http://127.0.0.1:${port}`;
    const path = (probe: { httpGet?: { path?: string } } | undefined): string =>
      probe!.httpGet!.path!;
    try {
      // The startup probe's budget: periodSeconds × failureThreshold.
      const startup = workload.container.startupProbe as {
        periodSeconds: number;
        failureThreshold: number;
      };
      await waitFor(
        'the startup probe',
        async () => (await status(`${base}${path(workload.container.startupProbe)}`)) === 200,
        startup.periodSeconds * startup.failureThreshold * 1000,
      );
      await waitFor(
        'readiness',
        async () => (await status(`${base}${path(workload.container.readinessProbe)}`)) === 200,
        15_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output}`);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await status(`${base}${path(workload.container.livenessProbe)}`)).toBe(200);

    const metrics = await fetch(`${base}${GATEWAY_CONTRACT.metricsPath}`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tiergate_upstream_state');

    const chat = (key?: string): Promise<Response> =>
      fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ model: 'thinking', messages: [{ role: 'user', content: 'hi' }] }),
      });
    const answer = await chat(processEnv.GATEWAY_API_KEYS);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-gateway-tier')).toBe('thinking');
    expect((await chat()).status).toBe(401);

    // 5. SIGTERM: not ready at once, still accepting during the drain, then exit 0 well within
    // the pod's terminationGracePeriodSeconds.
    const terminated = Date.now();
    child.kill('SIGTERM');
    await waitFor(
      'readiness to turn 503',
      async () => (await status(`${base}${path(workload.container.readinessProbe)}`)) === 503,
      2_000,
    );
    expect(await status(`${base}${path(workload.container.livenessProbe)}`)).toBe(200);
    const code = await exited;
    const took = Date.now() - terminated;
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    expect(took).toBeGreaterThanOrEqual(500);
    expect(took).toBeLessThan(pod.terminationGracePeriodSeconds! * 1000);

    // 6. Read-only friendly: nothing was written where the image is.
    expect(snapshot(workdir)).toEqual(before);
  }, 60_000);
});
