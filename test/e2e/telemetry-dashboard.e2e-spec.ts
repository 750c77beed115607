import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chat, postJson, readSse, authHeaders, startStack, withSim, type Stack } from './harness';

const ROOT = join(__dirname, '..', '..');

/** Every PromQL expression of the Grafana dashboard, with the panel it belongs to. */
function dashboardQueries(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(
    readFileSync(join(ROOT, 'deploy', 'grafana', 'tiergate-dashboard.json'), 'utf8'),
  ) as {
    panels: { title: string; targets?: { expr: string }[] }[];
    templating: { list: { name: string; definition?: string }[] };
  };
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({ where: `panel "${panel.title}"`, expr: t.expr })),
  );
  for (const variable of dashboard.templating.list) {
    if (variable.definition) {
      queries.push({ where: `variable ${variable.name}`, expr: variable.definition });
    }
  }
  return queries;
}

/** The `promql` and `yaml` (alert rules) code blocks of docs/observability.md. */
function documentedQueries(): { where: string; expr: string }[] {
  const text = readFileSync(join(ROOT, 'docs', 'observability.md'), 'utf8');
  return [...text.matchAll(/```(promql|yaml)\n([\s\S]*?)```/g)].map((m, i) => ({
    where: `docs/observability.md block ${i + 1} (${m[1]})`,
    expr: m[2],
  }));
}

/** Identifiers that name one of our metrics or labels: everything `tiergate_*` or `gen_ai_*`. */
function ourIdentifiers(expr: string): string[] {
  const code = expr.replace(/"[^"]*"/g, '""').replace(/\{\{[^}]*\}\}/g, '');
  return [...code.matchAll(/\b(?:tiergate|gen_ai)_[a-z0-9_]*/g)].map((m) => m[0]);
}

describe('The dashboard and the documented PromQL query metrics that exist (issue: observability)', () => {
  let stack: Stack;
  let series: Set<string>;
  let labels: Set<string>;

  beforeAll(async () => {
    stack = await startStack();
    // Enough traffic for every family and label to appear: JSON, a stream, a tool call.
    await postJson(`${stack.url}/v1/chat/completions`, chat('hi', { model: 'instant' }));
    const stream = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
    });
    await readSse(stream);
    await postJson(
      `${stack.url}/v1/chat/completions`,
      withSim(
        chat('sum', {
          model: 'instant',
          tools: [{ type: 'function', function: { name: 'calculator' } }],
        }),
        { tool_calls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] },
      ),
    );
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    series = new Set();
    labels = new Set();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      series.add(name);
      if (type === 'histogram' || type === 'summary') {
        for (const suffix of ['_bucket', '_sum', '_count']) series.add(name + suffix);
      }
    }
    for (const [, body] of text.matchAll(/^[a-z_:][a-z0-9_:]*\{([^}]*)\}/gm)) {
      for (const [, label] of body.matchAll(/([a-z_][a-z0-9_]*)="/g)) labels.add(label);
    }
  });
  afterAll(() => stack.close());

  it('the dashboard has queries, and the docs have PromQL', () => {
    expect(dashboardQueries().length).toBeGreaterThan(20);
    expect(documentedQueries().length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['the Grafana dashboard', dashboardQueries],
    ['docs/observability.md', documentedQueries],
  ])('every metric and label that %s names is served by /metrics', (_what, queries) => {
    const unknown: string[] = [];
    for (const { where, expr } of queries()) {
      for (const id of ourIdentifiers(expr)) {
        if (!series.has(id) && !labels.has(id)) unknown.push(`${where}: ${id}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
