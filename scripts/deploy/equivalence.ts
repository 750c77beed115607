import { parse } from 'yaml';
import { diffValues, objectId, type K8sObject, type RenderedObject } from './manifests';

/**
 * deploy/k8s/base must be "the chart's defaults as plain manifests". These are the only
 * differences allowed, and `normalize` removes them from both sides:
 *
 * - Helm's own labels (`helm.sh/chart`, `app.kubernetes.io/managed-by`);
 * - the chart's `checksum/*` pod annotations, which kustomize replaces by the ConfigMap's
 *   content-hash name suffix (dropped as well);
 * - `helm test` hooks, which only Helm runs;
 * - gateway.yaml's text: compared as parsed YAML, so comments and key order are free.
 */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];
const HASH_SUFFIX = /-[a-z0-9]{10}$/;

export function normalizeForComparison(objects: readonly RenderedObject[]): Map<string, unknown> {
  const hashed = new Set<string>();
  const out = new Map<string, unknown>();
  const kept = objects
    .map(({ object }) => structuredClone(object) as K8sObject)
    .filter((object) => !object.metadata.annotations?.['helm.sh/hook']);
  for (const object of kept) {
    if (object.kind === 'ConfigMap' && HASH_SUFFIX.test(object.metadata.name)) {
      hashed.add(object.metadata.name);
    }
  }
  for (const object of kept) {
    stripLabels(object.metadata);
    const template = (
      object.spec as { template?: { metadata?: K8sObject['metadata'] } } | undefined
    )?.template;
    if (template?.metadata) {
      stripLabels(template.metadata);
      const annotations = template.metadata.annotations ?? {};
      for (const key of Object.keys(annotations)) {
        if (key.startsWith('checksum/')) delete annotations[key];
      }
      if (Object.keys(annotations).length === 0) delete template.metadata.annotations;
    }
    if (hashed.has(object.metadata.name)) object.metadata.name = unhash(object.metadata.name);
    renameConfigMaps(object, hashed);
    if (object.kind === 'ConfigMap' && object.data) {
      const data = object.data as Record<string, string>;
      for (const key of Object.keys(data)) {
        if (/\.ya?ml$/.test(key)) (data as Record<string, unknown>)[key] = parse(data[key]);
      }
    }
    out.set(objectId(object), object);
  }
  return out;
}

function unhash(name: string): string {
  return name.replace(HASH_SUFFIX, '');
}

function stripLabels(metadata: { labels?: Record<string, string> }): void {
  if (!metadata.labels) return;
  for (const label of HELM_LABELS) delete metadata.labels[label];
  if (Object.keys(metadata.labels).length === 0) delete metadata.labels;
}

function renameConfigMaps(object: K8sObject, hashed: Set<string>): void {
  const volumes = (
    object.spec as { template?: { spec?: { volumes?: { configMap?: { name: string } }[] } } }
  )?.template?.spec?.volumes;
  for (const volume of volumes ?? []) {
    if (volume.configMap && hashed.has(volume.configMap.name)) {
      volume.configMap.name = unhash(volume.configMap.name);
    }
  }
}

/** The differences between two renderings, once normalized; empty when they are equivalent. */
export function compareRenderings(
  left: readonly RenderedObject[],
  right: readonly RenderedObject[],
  names: { left: string; right: string },
): string[] {
  const a = normalizeForComparison(left);
  const b = normalizeForComparison(right);
  const problems: string[] = [];
  for (const id of a.keys())
    if (!b.has(id)) problems.push(`${id} is in ${names.left}, not in ${names.right}`);
  for (const id of b.keys())
    if (!a.has(id)) problems.push(`${id} is in ${names.right}, not in ${names.left}`);
  for (const [id, object] of a) {
    if (!b.has(id)) continue;
    for (const diff of diffValues(object, b.get(id))) {
      problems.push(`${id}: ${diff} (${names.left} ≠ ${names.right})`);
    }
  }
  return problems;
}
