import { readFileSync } from 'node:fs';
import {
  checkDockerfile,
  checkDockerignore,
  checkProductionRequires,
  dockerignoreMatcher,
  parseDockerfile,
  runtimeOf,
} from '../../scripts/deploy/dockerfile';
import { DEPLOY_PATHS } from '../../scripts/deploy/deploy.constants';
import { ensureDist } from '../../scripts/deploy/dist';

const dockerfile = readFileSync(DEPLOY_PATHS.dockerfile, 'utf8');
const dockerignore = readFileSync(DEPLOY_PATHS.dockerignore, 'utf8');

/** The Dockerfile with one line replaced: each broken promise must be reported. */
function edited(search: string | RegExp, replacement: string): string {
  const changed = dockerfile.replace(search, replacement);
  expect(changed).not.toBe(dockerfile);
  return changed;
}

describe('deploy/docker/Dockerfile (Docker cannot run here: checked by construction)', () => {
  it('keeps every promise of the image', () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
  });

  it('builds in stages on Node 24 LTS and runs `node dist/main.js` in exec form as uid 10001, in production mode', () => {
    const { stages, problems } = parseDockerfile(dockerfile);
    expect(problems).toEqual([]);
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const stage of stages) expect(stage.image).toBe('node:24-bookworm-slim');
    const runtime = runtimeOf(stages[2]);
    expect(runtime).toEqual({
      workdir: '/app',
      env: { NODE_ENV: 'production' },
      user: '10001:10001',
      cmd: ['node', 'dist/main.js'],
    });
  });

  it('takes node_modules from a stage that installs production dependencies only', () => {
    const { stages } = parseDockerfile(dockerfile);
    const copy = stages[2].instructions.find(
      (i) => i.keyword === 'COPY' && i.args.includes('node_modules'),
    )!;
    const source = stages.find((s) => s.name === copy.flags.from)!;
    const installs = source.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(installs).toEqual([expect.stringMatching(/npm ci --omit=dev/)]);
  });

  it.each([
    ['runs as root', /^USER .*$/m, 'USER root', /USER root must be numeric/],
    ['runs as uid 0', /^USER .*$/m, 'USER 0:0', /USER 0 is root/],
    ['has no USER', /^USER .*$/m, '', /no USER/],
    ['starts through a shell', /^CMD .*$/m, 'CMD node dist/main.js', /CMD must be the exec form/],
    ['starts through npm', /^CMD .*$/m, 'CMD ["npm", "start"]', /CMD must be the exec form/],
    ['installs dev dependencies', '--omit=dev ', '', /does not install with `npm ci --omit=dev`/],
    [
      'forgets package.json (dist/main.js reads it)',
      /^COPY package\.json \.\/$/m,
      '',
      /package\.json is not copied/,
    ],
    [
      'is on the end-of-life Node 20',
      /^ARG NODE_IMAGE=.*$/m,
      'ARG NODE_IMAGE=node:20-bookworm-slim',
      /is not Node 24 LTS/,
    ],
    [
      'stays on Node 22',
      /^ARG NODE_IMAGE=.*$/m,
      'ARG NODE_IMAGE=node:22-bookworm-slim',
      /is not Node 24 LTS/,
    ],
    ['floats on latest', /^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:latest', /not Node 24 LTS/],
    [
      'has no build stage',
      /^FROM [\s\S]*?(?=^FROM \$\{NODE_IMAGE\} AS runtime)/m,
      '',
      /multi-stage build/,
    ],
    [
      'traps SIGTERM elsewhere',
      'STOPSIGNAL SIGTERM',
      'STOPSIGNAL SIGINT',
      /STOPSIGNAL must be SIGTERM/,
    ],
    [
      'bakes a secret in',
      'ENV NODE_ENV=production',
      'ENV NODE_ENV=production API_KEY=x',
      /ENV API_KEY/,
    ],
  ])('reports an image that %s', (_what, search, replacement, expected) => {
    expect(checkDockerfile(edited(search, replacement))).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });
});

describe('.dockerignore', () => {
  it('lets in what the build copies and nothing else (.env, keys, node_modules, dist, tests)', () => {
    expect(checkDockerignore(dockerignore, dockerfile)).toEqual([]);
  });

  it.each([
    ['*\n!src/\n', 'src/main.ts', false],
    ['*\n!src/\n', 'src/deep/er/file.ts', false],
    ['*\n!src/\nsrc/**/*.spec.ts\n', 'src/a/b.spec.ts', true],
    ['*\n!src/\nsrc/**/*.spec.ts\n', 'src/b.spec.ts', true],
    ['node_modules\n', 'node_modules/a/index.js', true],
    ['*.md\n', 'docs/a.md', false],
    ['**/*.md\n', 'docs/a.md', true],
    ['/dist\n', 'dist/main.js', true],
    ['.env*\n!.env.example\n', '.env.example', false],
    ['.env*\n!.env.example\n', '.env.local', true],
  ])('with %j, %s is excluded: %s (Docker semantics)', (patterns, path, excluded) => {
    expect(dockerignoreMatcher(patterns)(path)).toBe(excluded);
  });

  it('reports a context that would leak .env or miss the sources', () => {
    expect(checkDockerignore('node_modules\n', dockerfile)).toEqual(
      expect.arrayContaining([expect.stringContaining('lets .env into the build context')]),
    );
    expect(checkDockerignore(`${dockerignore}\nsrc\n`, dockerfile)).toEqual(
      expect.arrayContaining([expect.stringContaining('src')]),
    );
  });
});

describe('the compiled gateway needs only production dependencies (npm ci --omit=dev)', () => {
  it('every require() in dist/ names a built-in or a package of `dependencies`', () => {
    expect(checkProductionRequires(ensureDist(), DEPLOY_PATHS.packageJson)).toEqual([]);
  }, 120_000);
});
