import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { RoutingConfig, TierName } from '../../config/gateway-config.interface';
import { CLASSIFIERS_CONFIG, type ClassifiersSlice } from './classifiers.config';
import { ClassifierMessages } from './classifiers.messages';
import { EMBEDDINGS_PORT, SEMANTIC_EXEMPLARS, type EmbeddingsPort } from './classifiers.constants';
import { analyseConversation, capText, type ConversationAnalysis } from './features';
import committedExemplars from './model/semantic-exemplars.v1.json';
import { DEFAULT_MIN_CONFIDENCE, type StepExplanation } from './scoring-classifier';
import type {
  ClassificationInput,
  ClassificationScope,
  TierClassifier,
  TierVerdict,
} from './tier-classifier.interface';
import { applyContext, decide, round2, round4, sigmoid } from './tier-score';

/** Labeled examples whose embeddings make the centroids (written by `npm run train:classifier`). */
export interface SemanticExemplars {
  format: 'tiergate-semantic-exemplars';
  version: number;
  exemplars: { kind: string; label: TierName; text: string }[];
}

export const COMMITTED_SEMANTIC_EXEMPLARS = committedExemplars as unknown as SemanticExemplars;

/** Characters of a turn sent to the embeddings model. */
export const SEMANTIC_INPUT_CHARS = 2048;
/** Logit per unit of cosine-similarity margin between the nearest thinking and instant centroids. */
export const SEMANTIC_SCALE = 25;
const WARMUP_BATCH = 64;
const WARMUP_TIMEOUT_MS = 30_000;
const WARMUP_RETRY_MS = 60_000;

interface Centroid {
  kind: string;
  tier: TierName;
  vector: Float64Array;
}

/** Why a semantic reading did not happen. */
type Unavailable = { unavailable: string };

/**
 * `semantic` (optional, off by default): nearest centroid over embeddings of labeled examples,
 * one centroid per kind of task. The embeddings come through {@link EMBEDDINGS_PORT}; without a
 * bound port, before the centroids are ready, or when the embeddings call outlives
 * `routing.semanticBudgetMs`, the step abstains and the cascade asks the next one.
 */
@Injectable()
export class SemanticClassifier implements TierClassifier, OnApplicationBootstrap {
  readonly name = 'semantic' as const;
  private readonly logger = new Logger('TierClassifier');
  private readonly routing: RoutingConfig;
  private readonly exemplars: SemanticExemplars;
  private centroids: Centroid[] | null = null;
  private warming: Promise<void> | null = null;
  private nextWarmupAt = 0;

  constructor(
    @Inject(CLASSIFIERS_CONFIG.token) config: ClassifiersSlice,
    @Optional() @Inject(EMBEDDINGS_PORT) private readonly embed?: EmbeddingsPort,
    @Optional() @Inject(SEMANTIC_EXEMPLARS) exemplars?: SemanticExemplars,
  ) {
    this.routing = config.routing;
    this.exemplars = exemplars ?? COMMITTED_SEMANTIC_EXEMPLARS;
  }

  get minConfidence(): number {
    return this.routing.steps.semantic?.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  }

  /** Whether the centroids are embedded and the step can answer. */
  get ready(): boolean {
    return this.centroids !== null;
  }

  onApplicationBootstrap(): void {
    if (!this.routing.classifiers.includes('semantic')) return;
    if (!this.embed) {
      this.logger.warn(ClassifierMessages.semanticUnbound());
      return;
    }
    void this.warmUp();
  }

  /** Embeds the exemplars and builds the centroids; concurrent calls share one attempt. */
  warmUp(): Promise<void> {
    if (this.centroids || !this.embed) return Promise.resolve();
    this.warming ??= this.buildCentroids(this.embed).finally(() => (this.warming = null));
    return this.warming;
  }

  classify(input: ClassificationInput): Promise<TierVerdict | null> {
    return this.classifyAnalysis(analyseConversation(input), input);
  }

  async classifyAnalysis(
    analysis: ConversationAnalysis,
    scope?: ClassificationScope,
  ): Promise<TierVerdict | null> {
    const reading = await this.read(analysis, scope);
    if ('unavailable' in reading) return null;
    const { tier, confidence } = decide(reading.probability, this.routing.thinkingThreshold);
    if (confidence < this.minConfidence) return null;
    const score = round2(confidence);
    return {
      tier,
      reason: `classifier:semantic:${score.toFixed(2)}`,
      score,
      detail: [`nearest:${reading.nearest}`],
    };
  }

  async explainAnalysis(
    analysis: ConversationAnalysis,
    scope?: ClassificationScope,
  ): Promise<StepExplanation> {
    const reading = await this.read(analysis, scope);
    if ('unavailable' in reading) {
      return { step: 'classifier:semantic', status: 'unavailable', note: reading.unavailable };
    }
    const { tier, confidence } = decide(reading.probability, this.routing.thinkingThreshold);
    return {
      step: 'classifier:semantic',
      status: confidence >= this.minConfidence ? 'decided' : 'abstained',
      tier,
      score: round2(confidence),
      probability: round4(reading.probability),
      latestProbability: round4(reading.latestProbability),
      minConfidence: this.minConfidence,
      detail: [`nearest:${reading.nearest}`],
      features: reading.similarities,
    };
  }

  private async read(
    analysis: ConversationAnalysis,
    scope?: ClassificationScope,
  ): Promise<
    | Unavailable
    | {
        probability: number;
        latestProbability: number;
        nearest: string;
        similarities: { name: string; value: number; contribution: number }[];
      }
  > {
    const embed = this.embed;
    if (!embed) return { unavailable: 'no embeddings port bound' };
    const centroids = this.centroids;
    if (!centroids) {
      if (Date.now() >= this.nextWarmupAt) void this.warmUp();
      return { unavailable: 'centroids not ready' };
    }
    const inputs = [capText(analysis.view.latest, SEMANTIC_INPUT_CHARS)];
    if (analysis.followUp)
      for (const t of analysis.view.prior) inputs.push(capText(t, SEMANTIC_INPUT_CHARS));
    let vectors: number[][];
    try {
      vectors = await withBudget(embed, inputs, this.routing.semanticBudgetMs, scope);
    } catch (error) {
      return {
        unavailable: error instanceof BudgetError ? error.message : 'embeddings call failed',
      };
    }
    if (vectors.length !== inputs.length || vectors.some((v) => !Array.isArray(v))) {
      return { unavailable: 'embeddings answer has the wrong shape' };
    }
    const latest = nearest(centroids, vectors[0]);
    const priors = vectors
      .slice(1)
      .map((v) => sigmoid(nearest(centroids, v).margin * SEMANTIC_SCALE));
    const scored = applyContext(latest.margin * SEMANTIC_SCALE, analysis, () => priors);
    return {
      probability: scored.probability,
      latestProbability: scored.latestProbability,
      nearest: latest.kind,
      similarities: latest.similarities,
    };
  }

  private async buildCentroids(embed: EmbeddingsPort): Promise<void> {
    const started = Date.now();
    try {
      const groups = new Map<
        string,
        { kind: string; tier: TierName; sum: Float64Array | null; n: number }
      >();
      const items = this.exemplars.exemplars;
      for (let i = 0; i < items.length; i += WARMUP_BATCH) {
        const batch = items.slice(i, i + WARMUP_BATCH);
        const vectors = await embed(
          batch.map((e) => capText(e.text, SEMANTIC_INPUT_CHARS)),
          AbortSignal.timeout(WARMUP_TIMEOUT_MS),
        );
        batch.forEach((e, j) => {
          const key = `${e.kind}/${e.label}`;
          const g = groups.get(key) ?? { kind: e.kind, tier: e.label, sum: null, n: 0 };
          const v = normalised(vectors[j]);
          g.sum ??= new Float64Array(v.length);
          for (let d = 0; d < v.length; d++) g.sum[d] += v[d];
          g.n++;
          groups.set(key, g);
        });
      }
      this.centroids = [...groups.values()].map((g) => ({
        kind: g.kind,
        tier: g.tier,
        vector: normalised(g.sum ?? new Float64Array(0)),
      }));
      this.logger.log(
        ClassifierMessages.semanticReady(this.centroids.length, Date.now() - started),
      );
    } catch (error) {
      this.nextWarmupAt = Date.now() + WARMUP_RETRY_MS;
      this.logger.warn(
        ClassifierMessages.semanticWarmupFailed((error as Error)?.message ?? String(error)),
      );
    }
  }
}

class BudgetError extends Error {}

/** Calls the port with a deadline; rejects at the deadline even if the port ignores its signal. */
function withBudget(
  embed: EmbeddingsPort,
  inputs: string[],
  budgetMs: number,
  scope?: ClassificationScope,
): Promise<number[][]> {
  const signal = scope?.signal;
  return new Promise<number[][]>((resolve, reject) => {
    if (signal?.aborted) return reject(new BudgetError('request aborted'));
    const controller = new AbortController();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (why: string): void => {
      if (!settle()) return;
      controller.abort();
      reject(new BudgetError(why));
    };
    const onAbort = (): void => fail('request aborted');
    const timer = setTimeout(() => fail(`over the ${budgetMs} ms budget`), budgetMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<number[][]>;
    try {
      pending = embed(inputs, controller.signal, scope?.traceContext);
    } catch (error) {
      if (settle()) reject(error);
      return;
    }
    pending.then(
      (vectors) => {
        if (settle()) resolve(vectors);
      },
      (error: unknown) => {
        if (settle()) reject(error);
      },
    );
  });
}

function normalised(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

/** The nearest centroid of each tier; margin = similarity(thinking) − similarity(instant). */
function nearest(
  centroids: readonly Centroid[],
  vector: number[],
): {
  margin: number;
  kind: string;
  similarities: { name: string; value: number; contribution: number }[];
} {
  const v = normalised(vector);
  const best: Record<TierName, { sim: number; kind: string }> = {
    instant: { sim: -Infinity, kind: '' },
    thinking: { sim: -Infinity, kind: '' },
  };
  for (const c of centroids) {
    let s = 0;
    const n = Math.min(v.length, c.vector.length);
    for (let i = 0; i < n; i++) s += v[i] * c.vector[i];
    if (s > best[c.tier].sim) best[c.tier] = { sim: s, kind: c.kind };
  }
  const finite = (x: number): number => (Number.isFinite(x) ? x : 0);
  const margin = finite(best.thinking.sim) - finite(best.instant.sim);
  const top = best.thinking.sim >= best.instant.sim ? best.thinking : best.instant;
  return {
    margin,
    kind: top.kind,
    similarities: (['thinking', 'instant'] as const).map((tier) => ({
      name: `nearest.${tier}:${best[tier].kind}`,
      value: round4(finite(best[tier].sim)),
      contribution: round4(
        (tier === 'thinking' ? 1 : -1) * finite(best[tier].sim) * SEMANTIC_SCALE,
      ),
    })),
  };
}
