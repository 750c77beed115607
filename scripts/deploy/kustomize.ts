import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './deploy.constants';
import { objectId, parseManifests, type K8sObject, type RenderedObject } from './manifests';

/**
 * A small, offline `kustomize build` for deploy/k8s (kubectl is not installed in CI). It
 * implements the subset those kustomizations use, the way kustomize v5 does, and refuses
 * everything else, so a kustomization can never silently render differently here:
 *
 * - `resources`: YAML files and directories holding a kustomization;
 * - `namespace`: set on every namespaced object;
 * - `images`: `newName`, `newTag`, `digest` for matching container images;
 * - `configMapGenerator`: `files`, `literals`, `behavior` (create, replace, merge),
 *   `options.labels` and `options.disableNameSuffixHash`; the name gets kustomize's content hash, and references
 *   from pod specs follow it;
 * - `patches`: strategic-merge patches from `path`, matched by kind and name, with the merge
 *   keys of the Kubernetes API for the lists they touch.
 */
export interface KustomizeResult {
  objects: RenderedObject[];
  problems: string[];
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'images',
  'configMapGenerator',
  'patches',
]);

interface Item {
  source: string;
  object: K8sObject;
  /** A generated ConfigMap whose final name gets the content hash. */
  hashName?: boolean;
}

export function renderKustomization(dir: string): KustomizeResult {
  const problems: string[] = [];
  const items = build(dir, problems);
  // Names and references are settled once, at the top, as kustomize does.
  const renamed = new Map<string, string>();
  for (const item of items) {
    if (!item.hashName) continue;
    const name = item.object.metadata.name;
    const hashed = `${name}-${configMapHash(item.object)}`;
    renamed.set(name, hashed);
    item.object.metadata.name = hashed;
  }
  if (renamed.size > 0) for (const item of items) renameConfigMapReferences(item.object, renamed);
  return { objects: items.map(({ source, object }) => ({ source, object })), problems };
}

function build(dir: string, problems: string[]): Item[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((name) => join(dir, name))
    .find((path) => existsSync(path));
  const where = relative(ROOT, dir) || '.';
  if (!file) {
    problems.push(`${where}: no kustomization.yaml`);
    return [];
  }
  const k = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(field)) {
      problems.push(
        `${where}: kustomization field ${field} is not supported by the offline renderer`,
      );
    }
  }
  if (k.kind !== undefined && k.kind !== 'Kustomization') {
    problems.push(`${where}: kind must be Kustomization`);
  }

  const items: Item[] = [];
  for (const entry of asList(k.resources, `${where}: resources`, problems)) {
    const path = join(dir, String(entry));
    if (!existsSync(path)) {
      problems.push(`${where}: resource ${String(entry)} does not exist`);
    } else if (statSync(path).isDirectory()) {
      items.push(...build(path, problems));
    } else {
      const parsed = parseManifests(readFileSync(path, 'utf8'), relative(ROOT, path));
      problems.push(...parsed.problems);
      for (const { object } of parsed.objects) items.push({ source: relative(ROOT, path), object });
    }
  }

  for (const generator of asList(k.configMapGenerator, `${where}: configMapGenerator`, problems)) {
    generateConfigMap(dir, where, generator as Record<string, unknown>, items, problems);
  }

  for (const patch of asList(k.patches, `${where}: patches`, problems)) {
    applyPatchEntry(dir, where, patch as Record<string, unknown>, items, problems);
  }

  if (typeof k.namespace === 'string') {
    for (const item of items) {
      if (item.object.kind !== 'Namespace') item.object.metadata.namespace = k.namespace;
    }
  }

  for (const image of asList(k.images, `${where}: images`, problems)) {
    const rule = image as { name?: string; newName?: string; newTag?: string; digest?: string };
    if (typeof rule.name !== 'string') {
      problems.push(`${where}: images entry without name`);
      continue;
    }
    for (const item of items) setImages(item.object, rule as ImageRule);
  }

  const ids = new Set<string>();
  for (const item of items) {
    const id = objectId(item.object);
    if (ids.has(id)) problems.push(`${where}: ${id} appears twice`);
    ids.add(id);
  }
  return items;
}

function asList(value: unknown, what: string, problems: string[]): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${what} must be a list`);
    return [];
  }
  return value;
}

function generateConfigMap(
  dir: string,
  where: string,
  generator: Record<string, unknown>,
  items: Item[],
  problems: string[],
): void {
  const known = new Set(['name', 'files', 'literals', 'behavior', 'options']);
  for (const field of Object.keys(generator)) {
    if (!known.has(field)) problems.push(`${where}: configMapGenerator.${field} is not supported`);
  }
  const name = generator.name;
  if (typeof name !== 'string') {
    problems.push(`${where}: configMapGenerator without name`);
    return;
  }
  const data: Record<string, string> = {};
  for (const entry of asList(generator.files, `${where}: ${name}.files`, problems)) {
    // `key=path` or `path` (the key is the file name).
    const text = String(entry);
    const eq = text.indexOf('=');
    const key = eq === -1 ? basename(text) : text.slice(0, eq);
    const path = join(dir, eq === -1 ? text : text.slice(eq + 1));
    if (!existsSync(path)) {
      problems.push(`${where}: ${name}: file ${text} does not exist`);
      continue;
    }
    data[key] = readFileSync(path, 'utf8');
  }
  for (const entry of asList(generator.literals, `${where}: ${name}.literals`, problems)) {
    const text = String(entry);
    const eq = text.indexOf('=');
    if (eq <= 0) problems.push(`${where}: ${name}: literal ${text} is not key=value`);
    else data[text.slice(0, eq)] = text.slice(eq + 1);
  }
  const options = (generator.options ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(options)) {
    if (field !== 'disableNameSuffixHash' && field !== 'labels') {
      problems.push(`${where}: ${name}: options.${field} is not supported`);
    }
  }
  const labels = options.labels as Record<string, string> | undefined;
  const hashName = options.disableNameSuffixHash !== true;
  const behavior = (generator.behavior as string | undefined) ?? 'create';
  const existing = items.find(
    (i) => i.object.kind === 'ConfigMap' && i.object.metadata.name === name,
  );
  if (behavior === 'create') {
    if (existing) {
      problems.push(`${where}: ConfigMap ${name} already exists (use behavior: replace or merge)`);
      return;
    }
    const metadata = labels ? { name, labels: { ...labels } } : { name };
    const object: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
    items.push({ source: `${where}: configMapGenerator ${name}`, object, hashName });
  } else if (behavior === 'replace' || behavior === 'merge') {
    if (!existing) {
      problems.push(`${where}: ConfigMap ${name} to ${behavior} does not exist`);
      return;
    }
    const previous = (existing.object.data ?? {}) as Record<string, string>;
    existing.object.data = behavior === 'merge' ? { ...previous, ...data } : data;
    if (labels) {
      existing.object.metadata.labels = { ...existing.object.metadata.labels, ...labels };
    }
    existing.source = `${where}: configMapGenerator ${name} (${behavior})`;
    existing.hashName = hashName;
  } else {
    problems.push(`${where}: ${name}: behavior ${behavior} is not create, replace or merge`);
  }
}

/**
 * kustomize's name suffix for a ConfigMap (api/hasher): the SHA-256 of Go's JSON encoding of
 * {data, kind, name} with sorted keys, its first ten hex digits, with 0 1 3 a e changed to
 * g h k m t so that the suffix never looks like a number or a word. kustomize v3.8 and later
 * look the name up as the single field "metadata/name", which never exists, so the name they
 * hash is always "" (checked against kubectl 1.32's kustomize v5.5).
 */
export function configMapHash(object: K8sObject): string {
  const data = (object.data ?? {}) as Record<string, string>;
  const encoded = goJson({ data, kind: 'ConfigMap', name: '' });
  const hex = createHash('sha256').update(encoded).digest('hex');
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

/** `encoding/json.Marshal`: sorted map keys, and <, >, &, U+2028, U+2029 escaped. */
function goJson(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${goJson(key)}:${goJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function applyPatchEntry(
  dir: string,
  where: string,
  entry: Record<string, unknown>,
  items: Item[],
  problems: string[],
): void {
  for (const field of Object.keys(entry)) {
    if (field !== 'path') problems.push(`${where}: patches.${field} is not supported (use path)`);
  }
  if (typeof entry.path !== 'string') return;
  const file = join(dir, entry.path);
  if (!existsSync(file)) {
    problems.push(`${where}: patch ${entry.path} does not exist`);
    return;
  }
  const parsed = parseManifests(readFileSync(file, 'utf8'), relative(ROOT, file));
  problems.push(...parsed.problems);
  for (const { object: patch } of parsed.objects) {
    const target = items.find(
      (i) => i.object.kind === patch.kind && i.object.metadata.name === patch.metadata.name,
    );
    if (!target) {
      problems.push(`${where}: patch ${entry.path}: no ${patch.kind}/${patch.metadata.name}`);
      continue;
    }
    const merged = strategicMerge(target.object, patch, '', (message) =>
      problems.push(`${where}: patch ${entry.path}: ${message}`),
    );
    target.object = merged as K8sObject;
  }
}

/**
 * The list merge keys of the Kubernetes API (`patchMergeKey`) for the lists a patch may touch;
 * every other list is replaced whole, as the API's strategic merge does for them.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  topologySpreadConstraints: 'topologyKey',
};

export function strategicMerge(
  base: unknown,
  patch: unknown,
  path: string,
  report: (message: string) => void,
): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    const field = path.slice(path.lastIndexOf('.') + 1);
    // Container ports merge on containerPort, Service ports on port.
    const key =
      field === 'ports'
        ? patch.every((p) => typeof p === 'object' && p !== null && 'containerPort' in p)
          ? 'containerPort'
          : 'port'
        : MERGE_KEYS[field];
    if (!key || !Array.isArray(base)) return patch;
    // As kustomize orders them: the patch's items first, in its order (merged into the item
    // with the same key), then the items the patch does not name, in their order.
    const original = base as Record<string, unknown>[];
    const items = patch as Record<string, unknown>[];
    const merged = items.map((item) => {
      const match = original.find((b) => b[key] === item[key]);
      return match ? strategicMerge(match, item, path, report) : item;
    });
    const rest = original.filter((b) => !items.some((item) => item[key] === b[key]));
    return [...merged, ...rest];
  }
  if (
    typeof patch !== 'object' ||
    typeof base !== 'object' ||
    base === null ||
    Array.isArray(base)
  ) {
    return patch;
  }
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (key.startsWith('$')) {
      report(`directive ${key} at ${path || '/'} is not supported`);
      continue;
    }
    const merged = strategicMerge(result[key], value, path ? `${path}.${key}` : key, report);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  return result;
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** The `images` transformer on every container of a pod template or pod. */
function setImages(object: K8sObject, rule: ImageRule): void {
  const spec = object.spec as Record<string, unknown> | undefined;
  const podSpec = ((spec?.template as Record<string, unknown> | undefined)?.spec ??
    (object.kind === 'Pod' ? spec : undefined)) as Record<string, unknown> | undefined;
  if (!podSpec) return;
  for (const field of ['containers', 'initContainers']) {
    for (const container of (podSpec[field] ?? []) as Record<string, unknown>[]) {
      const image = String(container.image ?? '');
      const at = image.indexOf('@');
      const withoutDigest = at === -1 ? image : image.slice(0, at);
      const colon = withoutDigest.lastIndexOf(':');
      const hasTag = colon > withoutDigest.lastIndexOf('/');
      const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
      if (name !== rule.name) continue;
      const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
      const newName = rule.newName ?? name;
      if (rule.digest) container.image = `${newName}@${rule.digest}`;
      else if (rule.newTag) container.image = `${newName}:${rule.newTag}`;
      else
        container.image = tag
          ? `${newName}:${tag}`
          : at === -1
            ? newName
            : `${newName}${image.slice(at)}`;
    }
  }
}

/** Pod-spec references to ConfigMaps whose names got a hash suffix. */
function renameConfigMapReferences(object: K8sObject, renamed: Map<string, string>): void {
  const spec = object.spec as Record<string, unknown> | undefined;
  const podSpec = ((spec?.template as Record<string, unknown> | undefined)?.spec ??
    (object.kind === 'Pod' ? spec : undefined)) as Record<string, unknown> | undefined;
  if (!podSpec) return;
  const rename = (ref: Record<string, unknown> | undefined): void => {
    if (ref && typeof ref.name === 'string' && renamed.has(ref.name))
      ref.name = renamed.get(ref.name);
  };
  for (const volume of (podSpec.volumes ?? []) as Record<string, Record<string, unknown>>[]) {
    rename(volume.configMap);
    const sources = (volume.projected?.sources ?? []) as Record<string, Record<string, unknown>>[];
    for (const source of sources) rename(source.configMap);
  }
  for (const field of ['containers', 'initContainers']) {
    for (const container of (podSpec[field] ?? []) as Record<string, unknown>[]) {
      for (const env of (container.env ?? []) as { valueFrom?: Record<string, unknown> }[]) {
        rename(env.valueFrom?.configMapKeyRef as Record<string, unknown> | undefined);
      }
      for (const from of (container.envFrom ?? []) as Record<string, unknown>[]) {
        rename(from.configMapRef as Record<string, unknown> | undefined);
      }
    }
  }
}
