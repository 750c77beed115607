import { add, F, type Fields, type Outcome } from './analytics-fields';
import { bucketOf } from './latency-sketch';

/**
 * One group's figures while they wait for a flush, as plain numeric slots: recording a request
 * is a few additions, with no field name built and no string hashed per request. At the flush,
 * {@link toFields} names them once (the flat counters of analytics-fields.ts).
 */
export class PendingCounters {
  requests = 0;
  input = 0;
  cachedInput = 0;
  output = 0;
  reasoning = 0;
  cost = 0;
  generatedTokens = 0;
  generationMs = 0;
  fallbacks = 0;
  spills = 0;
  autoRequests = 0;
  /** Latency and time-to-first-token sketches: bucket index → count. */
  readonly latency = new Map<number, number>();
  readonly ttft = new Map<number, number>();
  /** Failures by error code; `auto` routing by tier and by deciding step. Created when used. */
  errors?: Map<string, number>;
  autoTiers?: Map<string, number>;
  decisions?: Map<string, number>;

  /** Adds one request's (or attempt's) figures: the same arithmetic as the fields it becomes. */
  addOutcome(o: Outcome): void {
    this.requests++;
    if (o.errorCode !== undefined) count((this.errors ??= new Map()), o.errorCode);
    this.input += o.input;
    this.cachedInput += o.cachedInput;
    this.output += o.output;
    this.reasoning += o.reasoning;
    this.cost += o.cost;
    count(this.latency, bucketOf(o.latencyMs));
    if (o.ttftMs !== undefined) count(this.ttft, bucketOf(o.ttftMs));
    if (o.errorCode === undefined && o.output > 0) {
      // Generation time: after the first token when it is known (streams), else the whole call.
      this.generatedTokens += o.output;
      this.generationMs += Math.max(1, Math.round(o.latencyMs - (o.ttftMs ?? 0)));
    }
    if (o.fallback) this.fallbacks++;
    if (o.spill) this.spills++;
  }

  addAuto(tier: string, step: string): void {
    this.autoRequests++;
    count((this.autoTiers ??= new Map()), tier);
    count((this.decisions ??= new Map()), step);
  }

  /** The request figures as named counters (zeros left out, as `add` does). */
  toFields(): Fields {
    const fields: Fields = new Map();
    add(fields, F.requests, this.requests);
    if (this.errors) for (const [code, n] of this.errors) add(fields, F.error + code, n);
    add(fields, F.input, this.input);
    add(fields, F.cachedInput, this.cachedInput);
    add(fields, F.output, this.output);
    add(fields, F.reasoning, this.reasoning);
    add(fields, F.cost, this.cost);
    for (const [bucket, n] of this.latency) add(fields, F.latency + bucket, n);
    for (const [bucket, n] of this.ttft) add(fields, F.ttft + bucket, n);
    add(fields, F.generatedTokens, this.generatedTokens);
    add(fields, F.generationMs, this.generationMs);
    add(fields, F.fallbacks, this.fallbacks);
    add(fields, F.spills, this.spills);
    return fields;
  }

  /** The routing figures of `auto` as named counters; empty when no request was `auto`. */
  routingFields(): Fields {
    const fields: Fields = new Map();
    add(fields, F.autoRequests, this.autoRequests);
    if (this.autoTiers) for (const [tier, n] of this.autoTiers) add(fields, F.autoTier + tier, n);
    if (this.decisions) for (const [step, n] of this.decisions) add(fields, F.decision + step, n);
    return fields;
  }
}

function count<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
