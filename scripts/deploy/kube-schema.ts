import Ajv, { type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { CRD_SCHEMAS } from './crd-schemas';
import { objectId, type K8sObject, type RenderedObject } from './manifests';

/** A kubernetes-models class: its `validate()` runs the generated OpenAPI validator on `this`. */
interface ModelClass {
  prototype: { validate(): void };
}

/**
 * The kinds Tiergate's manifests may contain, by `apiVersion/kind`. Anything else is an error:
 * a new kind needs its schema here first (CI must never wave an object through unchecked).
 */
const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Pod': Pod,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const CLUSTER_SCOPED = new Set(['v1/Namespace']);

let crdValidators: Map<string, ValidateFunction> | undefined;

function crdValidator(key: string): ValidateFunction | undefined {
  if (!crdValidators) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    crdValidators = new Map(
      Object.entries(CRD_SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]),
    );
  }
  return crdValidators.get(key);
}

/** Every kind the validator knows, for messages and docs. */
export function knownKinds(): string[] {
  return [...Object.keys(MODELS), ...Object.keys(CRD_SCHEMAS)].sort();
}

/**
 * Problems of one object against the Kubernetes schema, empty when it is valid:
 * types, enums, formats and required fields (kubernetes-models' OpenAPI validators), fields the
 * schema does not know (which kubernetes-models alone would let through, and the API server
 * would drop or reject), and the names and labels the API server would refuse.
 */
export function validateKubernetesObject(object: K8sObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const problems = checkMetadata(object, !CLUSTER_SCOPED.has(key));
  const crd = crdValidator(key);
  if (crd) {
    if (!crd(object)) {
      for (const error of crd.errors ?? []) {
        const extra =
          error.keyword === 'additionalProperties'
            ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
            : '';
        problems.push(`${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`);
      }
    }
    return problems;
  }
  const model = MODELS[key];
  if (!model) {
    return [...problems, `no schema for ${key}; known kinds: ${knownKinds().join(', ')}`];
  }
  const tracked = trackReads(object);
  try {
    model.prototype.validate.call(tracked.proxy);
  } catch (error) {
    const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
    if (errors?.length) {
      for (const e of errors) problems.push(`${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
    } else {
      problems.push((error as Error).message);
    }
  }
  for (const path of tracked.unread()) problems.push(`${path}: unknown field`);
  return problems;
}

/** Every object's problems, prefixed with where it came from; empty when all are valid. */
export function validateKubernetesObjects(objects: readonly RenderedObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { source, object } of objects) {
    const id = objectId(object);
    if (seen.has(id)) problems.push(`${source}: ${id} is rendered twice`);
    seen.add(id);
    for (const problem of validateKubernetesObject(object)) {
      problems.push(`${source}: ${id}: ${problem}`);
    }
  }
  return problems;
}

/**
 * Wraps `root` so that every property the validator reads is recorded. The generated
 * validators read each property their schema defines (and enumerate free-form maps), so a key
 * that was never read is one the schema does not have: an unknown field.
 */
function trackReads(root: object): { proxy: object; unread: () => string[] } {
  const read = new WeakMap<object, Set<string>>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const cached = proxies.get(value);
    if (cached) return cached;
    const keys = new Set<string>();
    read.set(value, keys);
    const proxy = new Proxy(value, {
      get(target, property, receiver) {
        if (typeof property === 'string') keys.add(property);
        return wrap(Reflect.get(target, property, receiver));
      },
      ownKeys(target) {
        // An enumerated object is a map (labels, data, resources): any key is allowed.
        for (const property of Reflect.ownKeys(target)) {
          if (typeof property === 'string') keys.add(property);
        }
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  const proxy = wrap(root) as object;
  const unread = (): string[] => {
    const paths: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((item, index) => walk(item, `${path}[${index}]`));
      } else if (typeof value === 'object' && value !== null) {
        const keys = read.get(value);
        for (const [key, child] of Object.entries(value)) {
          const childPath = path === '' ? key : `${path}.${key}`;
          if (!keys?.has(key)) paths.push(childPath);
          else walk(child, childPath);
        }
      }
    };
    walk(root, '');
    return paths;
  };
  return { proxy, unread };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Services (and namespaces) need an RFC 1035 label: it must start with a letter. */
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)$/;

/** What the API server's own validation checks in metadata and the schema does not. */
function checkMetadata(object: K8sObject, namespaced: boolean): string[] {
  const problems: string[] = [];
  const { name, namespace, labels, annotations } = object.metadata;
  const nameRule = ['Service', 'Namespace'].includes(object.kind) ? RFC1035_LABEL : DNS_SUBDOMAIN;
  const maxName = ['Service', 'Namespace'].includes(object.kind) ? 63 : 253;
  if (!nameRule.test(name) || name.length > maxName) {
    problems.push(`metadata.name ${JSON.stringify(name)} is not a valid ${object.kind} name`);
  }
  if (namespace !== undefined && (!namespaced || !DNS_LABEL.test(namespace))) {
    problems.push(`metadata.namespace ${JSON.stringify(namespace)} is not valid here`);
  }
  problems.push(...checkLabels(labels, 'metadata.labels'));
  if (annotations !== undefined) {
    for (const [key, value] of Object.entries(annotations)) {
      if (!qualifiedNameOk(key)) problems.push(`metadata.annotations: bad key ${key}`);
      if (typeof value !== 'string') problems.push(`metadata.annotations.${key}: not a string`);
    }
  }
  const template = (object.spec as { template?: { metadata?: { labels?: unknown } } } | undefined)
    ?.template;
  problems.push(...checkLabels(template?.metadata?.labels, 'spec.template.metadata.labels'));
  return problems;
}

function checkLabels(labels: unknown, path: string): string[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null) return [`${path}: not a mapping`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (!qualifiedNameOk(key)) problems.push(`${path}: bad key ${key}`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push(`${path}.${key}: ${JSON.stringify(value)} is not a valid label value`);
    }
  }
  return problems;
}

/** `[prefix/]name`: a DNS subdomain prefix and a 63-character name. */
function qualifiedNameOk(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}
