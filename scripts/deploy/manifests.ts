import { parseDocument } from 'yaml';

/** A Kubernetes object as rendered: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One object and where it came from (`templates/deployment.yaml`, `base/service.yaml`, …). */
export interface RenderedObject {
  source: string;
  object: K8sObject;
}

export interface ParsedManifests {
  objects: RenderedObject[];
  /** YAML errors and documents that are not Kubernetes objects. */
  problems: string[];
}

/**
 * Splits a multi-document YAML stream (`helm template` output, a manifest file) into objects.
 * Duplicate keys are errors, as they are for kubectl; empty documents are skipped.
 */
export function parseManifests(text: string, defaultSource: string): ParsedManifests {
  const objects: RenderedObject[] = [];
  const problems: string[] = [];
  // A document separator is `---` alone at the start of a line; block scalars are indented,
  // so a `---` inside one never matches.
  const chunks = text.split(/^---[ \t]*$/m);
  chunks.forEach((chunk, index) => {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1].trim() ?? `${defaultSource}#${index}`;
    const doc = parseDocument(chunk, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) problems.push(`${source}: YAML: ${error.message}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const shape = objectShapeProblem(value);
    if (shape) {
      problems.push(`${source}: ${shape}`);
      return;
    }
    objects.push({ source, object: value as K8sObject });
  });
  return { objects, problems };
}

function objectShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    return 'not a Kubernetes object (a mapping is expected)';
  }
  const record = value as Record<string, unknown>;
  if (typeof record.apiVersion !== 'string') return 'apiVersion is missing';
  if (typeof record.kind !== 'string') return 'kind is missing';
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string') {
    return `${record.kind}: metadata.name is missing`;
  }
  return undefined;
}

/** `Deployment/tiergate` (plus the namespace when there is one), for messages and maps. */
export function objectId(object: K8sObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${object.metadata.name}`;
}

export function findObject(
  objects: readonly RenderedObject[],
  kind: string,
  name?: string,
): K8sObject | undefined {
  return objects.find(
    ({ object }) => object.kind === kind && (name === undefined || object.metadata.name === name),
  )?.object;
}

/**
 * Where two JSON-like values differ, as `path: left ≠ right` lines (at most `limit`); empty
 * when they are deeply equal. Key order does not matter, list order does.
 */
export function diffValues(left: unknown, right: unknown, path = '', limit = 20): string[] {
  const out: string[] = [];
  const show = (value: unknown): string =>
    value === undefined ? '(absent)' : JSON.stringify(value).slice(0, 120);
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (out.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push(`${at || '/'}: ${a.length} items ≠ ${b.length} items`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${at}[${i}]`);
      return;
    }
    const isMap = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    if (isMap(a) && isMap(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        walk(a[key], b[key], at ? `${at}.${key}` : key);
      }
      return;
    }
    if (a !== b) out.push(`${at || '/'}: ${show(a)} ≠ ${show(b)}`);
  };
  walk(left, right, path);
  return out;
}
