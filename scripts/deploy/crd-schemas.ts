/**
 * JSON Schemas of the Prometheus Operator custom resources the chart can render
 * (monitoring.coreos.com/v1 ServiceMonitor and PrometheusRule). kubernetes-models only covers
 * the built-in API, so these are written by hand from the operator's CRDs (v0.7x), reduced to
 * the fields a gateway's monitoring uses, and closed: an unknown or misspelt field is an error.
 * A field the chart starts to use must be added here first.
 */

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Prometheus durations: 30s, 1m30s, 2h. */
const duration = {
  type: 'string',
  pattern:
    '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
} as const;

const objectMeta = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    labels: stringMap,
    annotations: stringMap,
  },
} as const;

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const relabelConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sourceLabels: { type: 'array', items: { type: 'string' } },
    separator: { type: 'string' },
    targetLabel: { type: 'string' },
    regex: { type: 'string' },
    modulus: { type: 'integer', minimum: 0 },
    replacement: { type: 'string' },
    action: {
      enum: [
        'replace',
        'Replace',
        'keep',
        'Keep',
        'drop',
        'Drop',
        'hashmod',
        'HashMod',
        'labelmap',
        'LabelMap',
        'labeldrop',
        'LabelDrop',
        'labelkeep',
        'LabelKeep',
        'lowercase',
        'Lowercase',
        'uppercase',
        'Uppercase',
        'keepequal',
        'KeepEqual',
        'dropequal',
        'DropEqual',
      ],
    },
  },
} as const;

const serviceMonitor = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      required: ['selector', 'endpoints'],
      additionalProperties: false,
      properties: {
        jobLabel: { type: 'string' },
        targetLabels: { type: 'array', items: { type: 'string' } },
        podTargetLabels: { type: 'array', items: { type: 'string' } },
        selector: labelSelector,
        namespaceSelector: {
          type: 'object',
          additionalProperties: false,
          properties: {
            any: { type: 'boolean' },
            matchNames: { type: 'array', items: { type: 'string' } },
          },
        },
        sampleLimit: { type: 'integer', minimum: 0 },
        endpoints: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              port: { type: 'string' },
              targetPort: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
              path: { type: 'string', pattern: '^/' },
              scheme: { enum: ['http', 'https'] },
              params: {
                type: 'object',
                additionalProperties: { type: 'array', items: { type: 'string' } },
              },
              interval: duration,
              scrapeTimeout: duration,
              honorLabels: { type: 'boolean' },
              honorTimestamps: { type: 'boolean' },
              followRedirects: { type: 'boolean' },
              enableHttp2: { type: 'boolean' },
              filterRunning: { type: 'boolean' },
              relabelings: { type: 'array', items: relabelConfig },
              metricRelabelings: { type: 'array', items: relabelConfig },
            },
          },
        },
      },
    },
  },
} as const;

const rule = {
  type: 'object',
  required: ['expr'],
  additionalProperties: false,
  oneOf: [{ required: ['alert'] }, { required: ['record'] }],
  properties: {
    alert: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    record: { type: 'string', pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' },
    expr: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] },
    for: duration,
    keep_firing_for: duration,
    labels: stringMap,
    annotations: stringMap,
  },
} as const;

const prometheusRule = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata: objectMeta,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: duration,
              limit: { type: 'integer', minimum: 0 },
              partial_response_strategy: { type: 'string' },
              rules: { type: 'array', items: rule },
            },
          },
        },
      },
    },
  },
} as const;

/** By `apiVersion/kind`. */
export const CRD_SCHEMAS: Readonly<Record<string, object>> = {
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
};
