import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'main.js');

/** Runs the built gateway the way the container does (`node dist/main.js`) with only `env`. */
function runMain(
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up refuses an invalid configuration (docs/api.md §3)', () => {
  beforeAll(() => {
    // `npm test` must pass on a fresh clone too, where nothing has been built yet.
    if (!existsSync(main))
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  }, 120_000);

  it('exits 1 naming every bad key at once', async () => {
    const { code, stderr } = await runMain({
      PORT: 'eighty',
      INSTANT_UPSTREAMS: 'ftp://nowhere',
      THINKING_MODEL: 'only-a-model',
      GATEWAY_AUTH: 'sometimes',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
    expect(stderr).toMatch(/INSTANT_UPSTREAMS|pools\.instant/);
    expect(stderr).toMatch(/THINKING_UPSTREAMS/);
    expect(stderr).toMatch(/GATEWAY_AUTH|auth\.mode/);
  });

  it('refuses to start with GATEWAY_AUTH=required and no keys, without echoing anything secret', async () => {
    const { code, stderr } = await runMain({
      INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
      INSTANT_MODEL: 'm',
      UPSTREAM_API_KEY: 'sk-upstream-secret',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/GATEWAY_API_KEYS|auth\.keys/);
    expect(stderr).not.toContain('sk-upstream-secret');
  });
});
