import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { GATEWAY_CONTRACT, ROOT } from './deploy.constants';

/**
 * Static checks of deploy/docker/Dockerfile and .dockerignore. Docker cannot run in CI, so the
 * image is made correct by construction and these checks keep it so: what the container
 * executes, as whom, with which dependencies, from which files.
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, … */
  keyword: string;
  /** The arguments after the keyword, continuation lines joined, `--flags` removed. */
  args: string;
  /** `--from=build`, `--mount=…`, … by name. */
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  /** `AS` name, or the stage's index as a string. */
  name: string;
  /** The base image, `${ARG}` references resolved from the global ARG defaults. */
  image: string;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  stages: Stage[];
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  problems: string[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const problems: string[] = [];
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i];
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i;
    let joined = first;
    // A trailing backslash continues the instruction; comment lines inside are dropped.
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      joined = joined.replace(/\\\s*$/, ' ');
      i++;
      if (!/^\s*#/.test(lines[i])) joined += lines[i];
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (!match) {
      problems.push(`line ${start + 1}: cannot parse ${JSON.stringify(first)}`);
      continue;
    }
    let rest = match[2].trim();
    if (rest.includes('<<')) problems.push(`line ${start + 1}: heredocs are not supported here`);
    const flags: Record<string, string> = {};
    for (let flag = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest); flag;) {
      flags[flag[1]] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
      flag = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(rest);
    }
    instructions.push({ keyword: match[1].toUpperCase(), args: rest, flags, line: start + 1 });
  }

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_m, arg: string) => globalArgs[arg] ?? '');
      const stageName = as?.toUpperCase() === 'AS' && name ? name : String(stages.length);
      stages.push({ name: stageName, image: resolved, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        problems.push(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
        continue;
      }
      const [arg, value = ''] = instruction.args.split('=');
      globalArgs[arg.trim()] = value.trim().replace(/^"(.*)"$/, '$1');
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { stages, globalArgs, problems };
}

/** The JSON array of an exec-form instruction (`CMD ["node", "x"]`), or undefined (shell form). */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `ENV A=1 B="two"` (or the legacy `ENV A 1`) as a map. */
export function envOf(instruction: Instruction): Record<string, string> {
  const env: Record<string, string> = {};
  const legacy = /^(\w+)\s+([^=]*)$/.exec(instruction.args);
  if (legacy) {
    env[legacy[1]] = legacy[2].trim();
    return env;
  }
  for (const m of instruction.args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env[m[1]] = m[3] ?? m[2];
  return env;
}

/** What the final stage would run: its WORKDIR, ENV, USER and CMD. */
export interface ImageRuntime {
  workdir?: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  entrypoint?: string[];
}

export function runtimeOf(stage: Stage): ImageRuntime {
  const runtime: ImageRuntime = { env: {} };
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        runtime.workdir = instruction.args;
        break;
      case 'ENV':
        Object.assign(runtime.env, envOf(instruction));
        break;
      case 'USER':
        runtime.user = instruction.args;
        break;
      case 'CMD':
        runtime.cmd = execForm(instruction.args) ?? ['/bin/sh', '-c', instruction.args];
        break;
      case 'ENTRYPOINT':
        runtime.entrypoint = execForm(instruction.args) ?? ['/bin/sh', '-c', instruction.args];
        break;
    }
  }
  return runtime;
}

/** Node 24 LTS: the line CI tests besides the machine's Node 20 (scripts/node/node24.sh). */
const NODE_24_IMAGE = /^(docker\.io\/(library\/)?)?node:24([.-][\w.-]*)?(@sha256:[a-f0-9]{64})?$/;
const DISTROLESS_24 = /^gcr\.io\/distroless\/nodejs24-debian\d+(:[\w.-]+)?(@sha256:[a-f0-9]{64})?$/;

/** Everything wrong with the Dockerfile; empty when it keeps every promise of the image. */
export function checkDockerfile(text: string): string[] {
  const { stages, globalArgs, problems } = parseDockerfile(text);
  if (stages.length < 2) {
    problems.push('a multi-stage build is expected (a build stage and a runtime stage)');
    return problems;
  }
  const byName = new Map(stages.map((stage) => [stage.name, stage]));
  for (const stage of stages) {
    if (byName.has(stage.image)) continue; // FROM an earlier stage
    if (!NODE_24_IMAGE.test(stage.image) && !DISTROLESS_24.test(stage.image)) {
      problems.push(`stage ${stage.name}: base ${stage.image || '(empty)'} is not Node 24 LTS`);
    }
  }
  for (const [name, value] of Object.entries(globalArgs)) {
    if (/(KEY|TOKEN|SECRET|PASSWORD)/i.test(name))
      problems.push(`ARG ${name}: no secrets in build args`);
    if (/:latest$/.test(value)) problems.push(`ARG ${name}: pin a version, not latest`);
  }

  const final = stages[stages.length - 1];
  const runtime = runtimeOf(final);
  const uid = runtime.user?.split(':')[0];
  if (uid === undefined) {
    problems.push('final stage: no USER; the image would run as root');
  } else if (!/^\d+$/.test(uid)) {
    problems.push(
      `final stage: USER ${runtime.user} must be numeric (runAsNonRoot checks the uid)`,
    );
  } else if (Number(uid) === 0) {
    problems.push('final stage: USER 0 is root');
  } else if (Number(uid) !== GATEWAY_CONTRACT.uid) {
    problems.push(`final stage: USER ${uid}, but the chart runs as ${GATEWAY_CONTRACT.uid}`);
  }
  if (JSON.stringify(runtime.cmd) !== JSON.stringify(GATEWAY_CONTRACT.command)) {
    problems.push(
      `final stage: CMD must be the exec form ${JSON.stringify(GATEWAY_CONTRACT.command)} ` +
        '(a shell in between would swallow SIGTERM)',
    );
  }
  if (runtime.entrypoint) {
    problems.push('final stage: no ENTRYPOINT; CMD is the whole start command');
  }
  if (!runtime.workdir) problems.push('final stage: WORKDIR is needed: CMD uses a relative path');
  if (runtime.env.NODE_ENV !== 'production') problems.push('final stage: ENV NODE_ENV=production');
  for (const [name] of Object.entries(runtime.env)) {
    if (/(KEY|TOKEN|SECRET|PASSWORD)/i.test(name))
      problems.push(`ENV ${name}: no secrets in the image`);
  }

  let copiesDist = false;
  let copiesPackageJson = false;
  let copiesNodeModules = false;
  for (const instruction of final.instructions) {
    const { keyword, args, flags } = instruction;
    if (keyword === 'ADD') problems.push(`line ${instruction.line}: use COPY, not ADD`);
    if (keyword === 'EXPOSE' && !args.split(/\s+/).includes(String(GATEWAY_CONTRACT.port))) {
      problems.push(`line ${instruction.line}: EXPOSE ${GATEWAY_CONTRACT.port} expected`);
    }
    if (keyword === 'STOPSIGNAL' && args !== 'SIGTERM') {
      problems.push(`line ${instruction.line}: STOPSIGNAL must be SIGTERM (docs/api.md §9)`);
    }
    if (keyword === 'HEALTHCHECK' && !/^(NONE|CMD \[)/.test(args)) {
      problems.push(`line ${instruction.line}: HEALTHCHECK must use the exec form CMD [...]`);
    }
    if (keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(args) && !/--omit=dev\b/.test(args)) {
      problems.push(`line ${instruction.line}: the final stage installs dev dependencies`);
    }
    if (keyword !== 'COPY') continue;
    const parts = args.split(/\s+/);
    const sources = parts.slice(0, -1);
    if (sources.some((s) => /(^|\/)dist\/?$/.test(s))) copiesDist = true;
    if (sources.some((s) => /(^|\/)package\.json$/.test(s))) copiesPackageJson = true;
    if (sources.some((s) => /(^|\/)node_modules\/?$/.test(s))) {
      copiesNodeModules = true;
      const from = flags.from ? byName.get(flags.from) : undefined;
      if (!from) {
        problems.push(
          `line ${instruction.line}: node_modules must come from a stage (COPY --from=…)`,
        );
      } else if (!installsProductionOnly(from)) {
        problems.push(
          `line ${instruction.line}: node_modules come from stage ${from.name}, which does not ` +
            'install with `npm ci --omit=dev`',
        );
      }
    }
  }
  if (!copiesDist) problems.push('final stage: dist/ is not copied');
  // dist/main.js reads ../package.json for its version.
  if (!copiesPackageJson) problems.push('final stage: package.json is not copied');
  if (!copiesNodeModules) problems.push('final stage: node_modules are not copied');
  return problems;
}

/** The stage installs dependencies with `npm ci --omit=dev` and never otherwise. */
function installsProductionOnly(stage: Stage): boolean {
  const installs = stage.instructions.filter(
    (i) => i.keyword === 'RUN' && /\bnpm\s+(ci|install|i)\b/.test(i.args),
  );
  return (
    installs.length > 0 &&
    installs.every((i) => /\bnpm\s+ci\b/.test(i.args) && /--omit=dev\b/.test(i.args))
  );
}

/** The build-context paths the Dockerfile copies (COPY without --from). */
export function contextSources(text: string): string[] {
  const sources: string[] = [];
  for (const stage of parseDockerfile(text).stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY' || instruction.flags.from) continue;
      sources.push(...instruction.args.split(/\s+/).slice(0, -1));
    }
  }
  return [...new Set(sources)];
}

/**
 * A `.dockerignore` as Docker applies it (moby/patternmatcher): the last matching pattern
 * wins, `!` re-includes, a pattern that matches a parent directory matches everything below
 * it, `*` and `?` stop at `/`, `**` crosses directories.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const body = (negated ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regex: globToRegex(body) };
    });
  return (path: string): boolean => {
    const parts = path.replace(/^\.?\/+/, '').split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { negated, regex } of patterns) {
      if (prefixes.some((prefix) => regex.test(prefix))) excluded = !negated;
    }
    return excluded;
  };
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < glob.length) out += `\\${glob[++i]}`;
    else out += c.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Files the build needs, and files that must never reach the build context. */
export const DOCKER_CONTEXT_EXPECTATIONS = {
  included: [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src/main.ts',
    'src/tier-routing/classifiers/model/learned-tier-model.v1.json',
  ],
  excluded: [
    '.env',
    '.env.production',
    '.git/HEAD',
    'node_modules/yaml/package.json',
    'dist/main.js',
    '.tools/scripts/demo.js',
    'test/e2e/chat.e2e-spec.ts',
    'src/config/config.loader.spec.ts',
    'deploy/helm/tiergate/values.yaml',
    'coverage/lcov.info',
  ],
} as const;

/** Problems of .dockerignore against the Dockerfile's COPY sources and the expectations above. */
export function checkDockerignore(dockerignore: string, dockerfile: string): string[] {
  const ignored = dockerignoreMatcher(dockerignore);
  const problems: string[] = [];
  for (const path of DOCKER_CONTEXT_EXPECTATIONS.included) {
    if (ignored(path)) problems.push(`.dockerignore excludes ${path}, which the build needs`);
  }
  for (const path of DOCKER_CONTEXT_EXPECTATIONS.excluded) {
    if (!ignored(path)) problems.push(`.dockerignore lets ${path} into the build context`);
  }
  for (const source of contextSources(dockerfile)) {
    const path = source.replace(/^\.\//, '').replace(/\/$/, '');
    const absolute = join(ROOT, path);
    if (!existsSync(absolute)) {
      problems.push(`the Dockerfile copies ${source}, which does not exist`);
    } else if (statSync(absolute).isDirectory()) {
      if (!filesUnder(absolute).some((file) => !ignored(relative(ROOT, file)))) {
        problems.push(
          `.dockerignore excludes everything under ${source}, which the Dockerfile copies`,
        );
      }
    } else if (ignored(path)) {
      problems.push(`.dockerignore excludes ${source}, which the Dockerfile copies`);
    }
  }
  return problems;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Packages the compiled gateway loads that `npm ci --omit=dev` would not install: every
 * `require()` in dist/ must name a Node built-in or a package of `dependencies`.
 */
export function checkProductionRequires(distDir: string, packageJson: string): string[] {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const production = new Set(Object.keys(manifest.dependencies ?? {}));
  const development = new Set(Object.keys(manifest.devDependencies ?? {}));
  const builtins = new Set(builtinModules);
  const problems = new Set<string>();
  for (const file of filesUnder(distDir).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/\brequire(?:\.resolve)?\(\s*(["'])([^"'.][^"']*)\1\s*\)/g)) {
      const specifier = m[2];
      if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) continue;
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0];
      if (production.has(name)) continue;
      const where = relative(ROOT, file);
      problems.add(
        development.has(name)
          ? `${where} requires ${name}, a devDependency: the image would not have it`
          : `${where} requires ${name}, which package.json does not list in dependencies`,
      );
    }
  }
  return [...problems];
}
