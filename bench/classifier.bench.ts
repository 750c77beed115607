/**
 * Decision time of the tier cascade (the default `learned -> rules`) per request, for prompts of
 * about 200, 1k, 4k and 20k characters and for a 1 MB prompt (the target, p99 <= 100 µs, holds
 * for prompts up to 20,000 characters), next to baselines measured in the same
 * run: lower-casing the prompt, `JSON.stringify` of the messages, and the hint-only step.
 *
 * Runs alone (`node .tools/bench/classifier.bench.js [--json]` after `npx tsc -p
 * tsconfig.tools.json`) or from the main bench runner through {@link runClassifierBench}.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { RoutingConfig } from '../src/config/gateway-config.interface';
import { defaultsOf, GATEWAY_CONFIG_KEYS } from '../src/config';
import {
  CascadeClassifier,
  reasoningEffortVerdict,
} from '../src/tier-routing/classifiers/cascade.classifier';
import type { ClassifiersSlice } from '../src/tier-routing/classifiers/classifiers.config';
import { LearnedClassifier } from '../src/tier-routing/classifiers/learned.classifier';
import { RulesClassifier } from '../src/tier-routing/classifiers/rules.classifier';
import { SemanticClassifier } from '../src/tier-routing/classifiers/semantic.classifier';
import type { ClassificationInput } from '../src/tier-routing/classifiers/tier-classifier.interface';

interface SizeClass {
  name: string;
  inputs: ClassificationInput[];
  meanChars: number;
  iterations: number;
}

interface Timing {
  p50_us: number;
  p99_us: number;
  mean_us: number;
}

const WARMUP = 300;
const TARGET_P99_US = 100;

function silentConfig(routing: RoutingConfig): ClassifiersSlice {
  return { routing };
}

/** Prompts of the dev set, or a small built-in set when the file is not at hand. */
function loadPrompts(): string[] {
  const candidates = [
    join(process.cwd(), 'data/tiering/dev.jsonl'),
    join(__dirname, '../../data/tiering/dev.jsonl'),
  ];
  for (const file of candidates) {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
    } catch {
      // try the next location
    }
  }
  return [
    'Prove that there are infinitely many primes, and explain each step of the argument carefully.',
    'Translate into French: "The meeting was moved to Thursday because several members are travelling."',
    'A train leaves at 9:40 and travels 210 km at 84 km/h, then waits 25 minutes and travels 96 km at 64 km/h. When does it arrive?',
    'Summarise the following paragraph in one sentence. The committee met on Monday and agreed to postpone the vote until more data is available from the regional offices.',
  ];
}

/** Prompts of about `size` characters: real ones when the set has them, else joined real ones. */
function promptsOfSize(prompts: readonly string[], size: number, count: number): string[] {
  const near = prompts.filter((p) => p.length >= size * 0.75 && p.length <= size * 1.25);
  if (near.length >= count) return near.slice(0, count);
  const out = [...near];
  for (let i = 0; out.length < count; i++) {
    let text = '';
    for (let j = i; text.length < size; j++) text += `${prompts[j % prompts.length]}\n\n`;
    out.push(text.slice(0, size));
  }
  return out;
}

function userTurn(content: string): ClassificationInput {
  return { messages: [{ role: 'user', content }] };
}

function measure(
  fn: (input: ClassificationInput) => unknown,
  inputs: readonly ClassificationInput[],
  iterations: number,
): Timing {
  for (let i = 0; i < WARMUP; i++) fn(inputs[i % inputs.length]);
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const input = inputs[i % inputs.length];
    const t0 = process.hrtime.bigint();
    fn(input);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  samples.sort();
  const at = (q: number): number =>
    samples[Math.min(iterations - 1, Math.ceil(q * iterations) - 1)];
  const mean = samples.reduce((s, x) => s + x, 0) / iterations;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { p50_us: r(at(0.5)), p99_us: r(at(0.99)), mean_us: r(mean) };
}

/** The bench's short chat (`bench/support/bench.constants.ts`): a system prompt and one question. */
const SHORT_CHAT: ClassificationInput = {
  messages: [
    { role: 'system', content: 'You are a concise assistant. Answer in plain text.' },
    {
      role: 'user',
      content: 'In two sentences, why do load balancers keep upstream connections alive?',
    },
  ],
};

/**
 * What a decision costs the process, garbage collection included (issue 17 (f) measures the
 * gateway's CPU per request): `process.cpuUsage` around `calls` decisions on the short chat, so
 * the collections the decisions' garbage causes land in the figure; and the bytes a decision
 * leaves on the heap, from the heap's growth over batches too small to trigger a collection
 * (the median batch: one a scavenge cut short shows as a drop and is left out).
 */
export function decisionCpu(
  decide: (input: ClassificationInput) => unknown,
  calls = 100_000,
): { cpuUsPerDecision: number; bytesPerDecision: number; calls: number } {
  for (let i = 0; i < 2_000; i++) decide(SHORT_CHAT);
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) decide(SHORT_CHAT);
  const used = process.cpuUsage(before);
  const batch = 200;
  const growth: number[] = [];
  for (let round = 0; round < 200; round++) {
    const h0 = getHeapStatistics().used_heap_size;
    for (let i = 0; i < batch; i++) decide(SHORT_CHAT);
    const grew = getHeapStatistics().used_heap_size - h0;
    if (grew >= 0) growth.push(grew / batch);
  }
  growth.sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    cpuUsPerDecision: r((used.user + used.system) / calls),
    bytesPerDecision: Math.round(growth[Math.floor(growth.length / 2)] ?? NaN),
    calls,
  };
}

/** Runs the benchmark (`quick`: a fifth of the iterations); returns the figures, also printed as a table. */
export async function runClassifierBench(
  options: { print?: boolean; quick?: boolean } = {},
): Promise<Record<string, unknown>> {
  const scale = options.quick ? 0.2 : 1;
  const defaults = defaultsOf(GATEWAY_CONFIG_KEYS.shape.routing);
  const routing: RoutingConfig = {
    defaultModel: defaults.defaultModel,
    defaultTier: 'instant',
    classifiers: [...defaults.classifiers],
    thinkingThreshold: defaults.thinkingThreshold,
    steps: {},
    semanticBudgetMs: defaults.semanticBudgetMs,
  };
  const config = silentConfig(routing);
  const rules = new RulesClassifier(config);
  const learned = new LearnedClassifier(config);
  const cascade = new CascadeClassifier(config, rules, learned, new SemanticClassifier(config));

  const prompts = loadPrompts();
  const megabyte = 'The committee reviewed the quarterly figures and noted the following. '
    .repeat(15_000)
    .slice(0, 1 << 20);
  const classes: SizeClass[] = [
    { name: '~200 chars', texts: promptsOfSize(prompts, 200, 64), iterations: 20_000 },
    { name: '~1k chars', texts: promptsOfSize(prompts, 1000, 32), iterations: 10_000 },
    { name: '~4k chars', texts: promptsOfSize(prompts, 4000, 16), iterations: 5_000 },
    { name: '~20k chars', texts: promptsOfSize(prompts, 20_000, 8), iterations: 3_000 },
    {
      name: '1 MB',
      texts: [`${megabyte}\n\nWhat did the committee decide? Answer in one sentence.`],
      iterations: 2_000,
    },
  ].map((c) => ({
    name: c.name,
    inputs: c.texts.map(userTurn),
    meanChars: Math.round(c.texts.reduce((s, t) => s + t.length, 0) / c.texts.length),
    iterations: Math.round(c.iterations * scale),
  }));

  // The cascade first, for every size: the baselines allocate megabytes (1 MB strings) and
  // their garbage collections would land in its samples otherwise.
  const decisions = classes.map((c) => measure((i) => cascade.classify(i), c.inputs, c.iterations));
  const results: Record<string, unknown>[] = [];
  for (const [index, c] of classes.entries()) {
    const decision = decisions[index];
    const hint = measure((i) => reasoningEffortVerdict(i.reasoningEffort), c.inputs, c.iterations);
    const lower = measure(
      (i) => (i.messages[0].content as string).toLowerCase(),
      c.inputs,
      c.iterations,
    );
    const stringify = measure((i) => JSON.stringify(i.messages), c.inputs, c.iterations);
    results.push({
      size: c.name,
      prompts: c.inputs.length,
      meanChars: c.meanChars,
      iterations: c.iterations,
      cascade: decision,
      baselineLowercase: lower,
      baselineJsonStringify: stringify,
      baselineHintOnly: hint,
    });
  }
  const shortChat = decisionCpu((i) => cascade.classify(i), Math.round(100_000 * scale));
  const upTo20k = results.filter((r) => r.size !== '1 MB').map((r) => (r.cascade as Timing).p99_us);
  const summary = {
    name: 'classifier',
    classifiers: routing.classifiers,
    node: process.version,
    cpus: cpus().length,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    targetP99UpTo20kUs: TARGET_P99_US,
    worstP99UpTo20kUs: Math.max(...upTo20k),
    meetsTarget: Math.max(...upTo20k) <= TARGET_P99_US,
    shortChat,
    results,
  };
  if (options.print !== false) {
    const row = (r: Record<string, unknown>): string[] => {
      const t = (k: string): Timing => r[k] as Timing;
      return [
        String(r.size),
        String(r.meanChars),
        `${t('cascade').p50_us}`,
        `${t('cascade').p99_us}`,
        `${t('baselineLowercase').p50_us} / ${t('baselineLowercase').p99_us}`,
        `${t('baselineJsonStringify').p50_us} / ${t('baselineJsonStringify').p99_us}`,
        `${t('baselineHintOnly').p50_us} / ${t('baselineHintOnly').p99_us}`,
      ];
    };
    const header = [
      'prompt',
      'chars',
      'cascade p50 µs',
      'cascade p99 µs',
      'lowercase p50/p99',
      'JSON.stringify p50/p99',
      'hint only p50/p99',
    ];
    const cells = [header, ...results.map(row)];
    const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    const line = (r: string[]): string =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(
      `tier classifier decision time (${routing.classifiers.join(' -> ')}), node ${process.version}, ` +
        `${summary.cpus} CPUs, load average ${summary.loadAverage1m}`,
    );
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of cells.slice(1)) console.log(line(r));
    console.log(
      `worst p99 up to 20k chars: ${summary.worstP99UpTo20kUs} µs (target ${TARGET_P99_US} µs: ${summary.meetsTarget ? 'met' : 'NOT met'})`,
    );
    console.log(
      `short chat, ${shortChat.calls} decisions: ${shortChat.cpuUsPerDecision} µs CPU per decision ` +
        `(process.cpuUsage, GC included), ${shortChat.bytesPerDecision} bytes left on the heap per decision`,
    );
  }
  return summary;
}

if (require.main === module) {
  Logger.overrideLogger(false);
  void runClassifierBench({ print: true, quick: process.argv.includes('--quick') }).then(
    (summary) => {
      if (process.argv.includes('--json')) console.log(JSON.stringify(summary));
    },
  );
}
