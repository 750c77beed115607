import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { DEPLOY_PATHS, ROOT } from '../../scripts/deploy/deploy.constants';
import { helmTemplate } from '../../scripts/deploy/helm';
import { findObject } from '../../scripts/deploy/manifests';

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/**
 * Every key path of a YAML tree, with the names operators choose written as placeholders:
 * `pools.<pool>.upstreams[].url`, `aliases.<alias>.tier` (the reference lists each tier's keys).
 */
function keyPaths(value: unknown, path = ''): string[] {
  const placeholders: Record<string, string> = {
    pools: '<pool>',
    aliases: '<alias>',
  };
  if (Array.isArray(value)) {
    const objects = value.filter((v) => typeof v === 'object' && v !== null);
    return objects.length > 0
      ? [...new Set(objects.flatMap((v) => keyPaths(v, `${path}[]`)))]
      : [path];
  }
  if (typeof value === 'object' && value !== null) {
    const paths = Object.entries(value).flatMap(([key, child]) => {
      const segment = placeholders[path] ?? key;
      return keyPaths(child, path ? `${path}.${segment}` : segment);
    });
    return [...new Set(paths)];
  }
  return [path];
}

describe('the deployment and configuration docs stay complete', () => {
  const configuration = read('docs/configuration.md');

  it('docs/configuration.md documents every key of docs/gateway.example.yaml', () => {
    const paths = keyPaths(parse(read('docs/gateway.example.yaml')));
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => !configuration.includes(`\`${path}\``))).toEqual([]);
  });

  it('docs/configuration.md documents every variable of .env.example', () => {
    const variables = [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map(
      (m) => m[1],
    );
    expect(variables.length).toBeGreaterThan(20);
    expect([...new Set(variables)].filter((v) => !configuration.includes(v))).toEqual([]);
  });

  it("docs/operations.md has a runbook section for every alert the chart installs, where the alert's link points", () => {
    const rendered = helmTemplate({ set: ['prometheusRule.enabled=true'] });
    const rule = findObject(rendered.objects, 'PrometheusRule')!;
    const rules = (rule.spec as any).groups[0].rules as {
      alert: string;
      annotations: Record<string, string>;
    }[];
    const operations = read('docs/operations.md');
    for (const { alert, annotations } of rules) {
      expect(operations).toContain(`### ${alert}\n`);
      expect(annotations.runbook_url).toMatch(
        new RegExp(`/docs/operations\\.md#${alert.toLowerCase()}$`),
      );
    }
  });

  it.each([
    'deploy/README.md',
    'docs/deployment.md',
    'docs/operations.md',
    'docs/configuration.md',
    'docs/adr/0007-deployment.md',
  ])('the relative links of %s lead to files that exist', (doc) => {
    const text = read(doc);
    const targets = [...text.matchAll(/\]\(((?!https?:|#)[^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]);
    const missing = targets.filter((target) => !existsSync(join(ROOT, dirname(doc), target)));
    expect(missing).toEqual([]);
  });

  it('the chart, the docs and the ADR name the same files', () => {
    expect(existsSync(join(DEPLOY_PATHS.examples, 'two-pool-vllm.yaml'))).toBe(true);
    // values.yaml and the templates point readers at the ADR by its file name.
    expect(read('deploy/helm/tiergate/values.yaml')).toContain('docs/adr/0007-deployment.md');
  });
});
