/** Accuracy, confusion, per-group tables and reliability of a set of predictions. */
import type { TierName } from '../../src/config/gateway-config.interface';
import { table } from './cli';
import type { LabeledPrompt } from './trainer';

export const TIERS: readonly TierName[] = ['instant', 'thinking'];

export interface Metrics {
  n: number;
  accuracy: number;
  precision: Record<TierName, number>;
  recall: Record<TierName, number>;
  /** confusion[actual][predicted] */
  confusion: Record<TierName, Record<TierName, number>>;
  perKind: Record<string, { n: number; correct: number }>;
  perLang: Record<string, { n: number; correct: number }>;
  /** How many decisions each step made (`learned`, `rules`, `default`, …), and how many right. */
  byStep: Record<string, number>;
  stepCorrect: Record<string, number>;
}

export function metricsOf(
  rows: readonly LabeledPrompt[],
  predicted: readonly TierName[],
  steps?: readonly string[],
): Metrics {
  const confusion = { instant: { instant: 0, thinking: 0 }, thinking: { instant: 0, thinking: 0 } };
  const perKind: Metrics['perKind'] = {};
  const perLang: Metrics['perLang'] = {};
  const byStep: Record<string, number> = {};
  const stepCorrect: Record<string, number> = {};
  let correct = 0;
  rows.forEach((r, i) => {
    const actual = r.label as TierName;
    confusion[actual][predicted[i]]++;
    const ok = actual === predicted[i];
    if (ok) correct++;
    const k = (perKind[r.kind] ??= { n: 0, correct: 0 });
    k.n++;
    if (ok) k.correct++;
    const l = (perLang[r.lang] ??= { n: 0, correct: 0 });
    l.n++;
    if (ok) l.correct++;
    if (steps) {
      byStep[steps[i]] = (byStep[steps[i]] ?? 0) + 1;
      stepCorrect[steps[i]] = (stepCorrect[steps[i]] ?? 0) + (ok ? 1 : 0);
    }
  });
  const precision = {} as Record<TierName, number>;
  const recall = {} as Record<TierName, number>;
  for (const t of TIERS) {
    const predictedT = confusion.instant[t] + confusion.thinking[t];
    const actualT = confusion[t].instant + confusion[t].thinking;
    precision[t] = predictedT ? confusion[t][t] / predictedT : 0;
    recall[t] = actualT ? confusion[t][t] / actualT : 0;
  }
  return {
    n: rows.length,
    accuracy: correct / rows.length,
    precision,
    recall,
    confusion,
    perKind,
    perLang,
    byStep,
    stepCorrect,
  };
}

export const f3 = (x: number): string => x.toFixed(3);
export const f4 = (x: number): string => x.toFixed(4);

export function report(title: string, m: Metrics): string {
  const lines = [`${title}: accuracy ${f4(m.accuracy)} (${Math.round(m.accuracy * m.n)}/${m.n})`];
  lines.push(
    table(
      ['tier', 'precision', 'recall', 'support'],
      TIERS.map((t) => [
        t,
        f3(m.precision[t]),
        f3(m.recall[t]),
        m.confusion[t].instant + m.confusion[t].thinking,
      ]),
    ),
  );
  lines.push('');
  lines.push(
    table(
      ['actual \\ predicted', 'instant', 'thinking'],
      TIERS.map((t) => [t, m.confusion[t].instant, m.confusion[t].thinking]),
    ),
  );
  if (Object.keys(m.byStep).length > 0) {
    lines.push('');
    lines.push(
      `decided by (rows, accuracy of that step's decisions): ${Object.entries(m.byStep)
        .map(([s, n]) => `${s} ${n} (${f3((m.stepCorrect[s] ?? 0) / n)})`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

/** Kinds whose surface points one way and whose label the other. */
export const isAdversarial = (kind: string): boolean => kind.startsWith('hard-');

/** Accuracy over the rows whose kind is adversarial. */
export function adversarialAccuracy(m: Metrics): { n: number; accuracy: number } {
  let n = 0;
  let correct = 0;
  for (const [kind, x] of Object.entries(m.perKind)) {
    if (!isAdversarial(kind)) continue;
    n += x.n;
    correct += x.correct;
  }
  return { n, accuracy: n ? correct / n : NaN };
}

/** `kind  n  correct  accuracy` (adversarial kinds last), or the same per language. */
export function groupTable(
  groups: Metrics['perKind'],
  order = (a: string, b: string) => a.localeCompare(b),
): string {
  const keys = Object.keys(groups).sort(order);
  return table(
    ['group', 'n', 'correct', 'accuracy'],
    keys.map((k) => [k, groups[k].n, groups[k].correct, f3(groups[k].correct / groups[k].n)]),
  );
}

export const kindOrder = (a: string, b: string): number =>
  Number(isAdversarial(a)) - Number(isAdversarial(b)) || a.localeCompare(b);

/**
 * Reliability table: P(thinking) in ten bins, with the mean predicted probability and the
 * observed share of thinking labels per bin, and the expected calibration error.
 */
export function reliability(probabilities: readonly number[], labels: readonly TierName[]): string {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, thinking: 0 }));
  probabilities.forEach((p, i) => {
    const b = bins[Math.min(9, Math.floor(p * 10))];
    b.n++;
    b.p += p;
    if (labels[i] === 'thinking') b.thinking++;
  });
  let ece = 0;
  const rows = bins.map((b, i) => {
    const mean = b.n ? b.p / b.n : 0;
    const observed = b.n ? b.thinking / b.n : 0;
    ece += (b.n / probabilities.length) * Math.abs(mean - observed);
    return [
      `${(i / 10).toFixed(1)}-${((i + 1) / 10).toFixed(1)}`,
      b.n,
      b.n ? f3(mean) : '-',
      b.n ? f3(observed) : '-',
    ];
  });
  return `${table(['P(thinking)', 'n', 'mean predicted', 'observed thinking'], rows)}\nexpected calibration error: ${f3(ece)}`;
}
