import { validateKubernetesObject } from '../../scripts/deploy/kube-schema';
import { parseManifests, type K8sObject } from '../../scripts/deploy/manifests';

/** A valid Deployment, to break one field at a time. */
function deployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'tiergate', labels: { 'app.kubernetes.io/name': 'tiergate' } },
    spec: {
      selector: { matchLabels: { app: 'tiergate' } },
      template: {
        metadata: { labels: { app: 'tiergate' } },
        spec: {
          containers: [
            {
              name: 'tiergate',
              image: 'tiergate:0.1.0',
              ports: [{ name: 'http', containerPort: 9000 }],
              readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
              resources: { requests: { cpu: '500m' } },
            },
          ],
        },
      },
    },
  };
}

describe('validating rendered objects against the Kubernetes schemas', () => {
  it('accepts a valid object', () => {
    expect(validateKubernetesObject(deployment())).toEqual([]);
  });

  it.each([
    ['a misspelt top-level field', (d: any) => (d.spce = {}), 'spce: unknown field'],
    [
      'an unknown metadata field',
      (d: any) => (d.metadata.label = {}),
      'metadata.label: unknown field',
    ],
    [
      'an unknown field deep in a container',
      (d: any) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.paht = '/'),
      'spec.template.spec.containers[0].readinessProbe.httpGet.paht: unknown field',
    ],
    [
      'a wrong type',
      (d: any) => (d.spec.template.spec.containers[0].ports[0].containerPort = '9000'),
      '/spec/template/spec/containers/0/ports/0/containerPort must be integer',
    ],
    [
      'a missing required field',
      (d: any) => delete d.spec.template.spec.containers[0].name,
      '/spec/template/spec/containers/0 must have required property name',
    ],
    [
      'a bad quantity',
      (d: any) => (d.spec.template.spec.containers[0].resources.requests.cpu = 'half'),
      'resources/requests/cpu',
    ],
    [
      'a label value the API server refuses',
      (d: any) => (d.metadata.labels.version = '1.0+build'),
      'is not a valid label value',
    ],
    [
      'an invalid name',
      (d: any) => (d.metadata.name = 'Tiergate_1'),
      'is not a valid Deployment name',
    ],
  ])('reports %s', (_what, breakIt, expected) => {
    const object = deployment();
    breakIt(object);
    expect(validateKubernetesObject(object)).toEqual(
      expect.arrayContaining([expect.stringContaining(expected)]),
    );
  });

  it('knows the free-form maps: any label, annotation or resource name is allowed', () => {
    const object = deployment() as any;
    object.metadata.annotations = { 'example.com/anything': 'x' };
    object.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': '1' };
    expect(validateKubernetesObject(object)).toEqual([]);
  });

  it('refuses a kind it has no schema for, rather than letting it through', () => {
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'x' },
    };
    expect(validateKubernetesObject(ingress)).toEqual([expect.stringContaining('no schema for')]);
  });

  it('checks the Prometheus Operator resources against closed schemas', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'tiergate' },
      spec: {
        selector: { matchLabels: { app: 'tiergate' } },
        endpoints: [{ port: 'http', path: '/metrics', intervall: '30s' }],
      },
    };
    expect(validateKubernetesObject(monitor)).toEqual([
      expect.stringContaining('must NOT have additional properties (intervall)'),
    ]);
  });

  it('reports duplicate keys and documents that are not objects', () => {
    const parsed = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n---\n- a list\n---\n',
      'test.yaml',
    );
    expect(parsed.objects).toEqual([]);
    expect(parsed.problems).toEqual([
      expect.stringContaining('Map keys must be unique'),
      expect.stringContaining('not a Kubernetes object'),
    ]);
  });
});
