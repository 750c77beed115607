import { addOutcome, F, mergeFields, add, type Fields, type Outcome } from './analytics-fields';
import type { AnalyticsDimension, BucketDelta, GroupFields } from './analytics-store.interface';
import { bucketStart, RESOLUTIONS, retentionSeconds, SLOT_SECONDS } from './analytics-windows';

/** One request at its end, as analytics counts it. */
export interface RequestSample extends Outcome {
  key: string;
  tier: string;
  /** The pool's model id that served it (the public name when it never reached a pool). */
  model: string;
  pool: string;
  /** `auto` requests: the tier routing chose, and the step that decided (`classifier:learned`). */
  auto?: { tier: string; step: string };
}

/** One upstream attempt on one replica (`<pool>/<replica id>`). */
export interface AttemptSample extends Outcome {
  replica: string;
}

const SEP = '\u0000';
const REQUEST = 'r';
const ATTEMPT = 'a';

/**
 * The hot path's half of analytics: each record adds a few counters to this process's pending
 * figures for the current 10 s slot, keyed by the request's (key, tier, model, pool), with no
 * I/O and no per-dimension work. {@link drain} (on the flush interval, or before a read) spreads
 * them over the dimensions and the resolutions of every window, as deltas for the store.
 */
export class AnalyticsAggregator {
  private pending = new Map<number, Map<string, Fields>>();

  constructor(private readonly now: () => number = Date.now) {}

  recordRequest(sample: RequestSample): void {
    const tuple =
      REQUEST + SEP + sample.key + SEP + sample.tier + SEP + sample.model + SEP + sample.pool;
    const fields = this.fieldsOf(tuple);
    addOutcome(fields, sample);
    if (sample.auto !== undefined) {
      add(fields, F.autoRequests, 1);
      add(fields, F.autoTier + sample.auto.tier, 1);
      add(fields, F.decision + sample.auto.step, 1);
    }
  }

  recordAttempt(sample: AttemptSample): void {
    addOutcome(this.fieldsOf(ATTEMPT + SEP + sample.replica), sample);
  }

  /** Whether anything awaits a flush. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  /** Takes everything pending, as one delta per (resolution, bucket, dimension). */
  drain(): BucketDelta[] {
    const pending = this.pending;
    this.pending = new Map();
    const deltas = new Map<string, BucketDelta>();
    for (const [slot, tuples] of pending) {
      for (const resolution of Object.values(RESOLUTIONS)) {
        const start = bucketStart(slot, resolution.bucketSeconds);
        const ttlSeconds = retentionSeconds(resolution);
        const deltaOf = (dimension: AnalyticsDimension): GroupFields => {
          const name = `${resolution.bucketSeconds}:${start}:${dimension}`;
          let delta = deltas.get(name);
          if (delta === undefined) {
            delta = {
              bucketSeconds: resolution.bucketSeconds,
              start,
              dimension,
              groups: new Map(),
              ttlSeconds,
            };
            deltas.set(name, delta);
          }
          return delta.groups;
        };
        for (const [tuple, fields] of tuples) spread(tuple, fields, deltaOf);
      }
    }
    return [...deltas.values()];
  }

  private fieldsOf(tuple: string): Fields {
    const slot = bucketStart(Math.floor(this.now() / 1000), SLOT_SECONDS);
    let tuples = this.pending.get(slot);
    if (tuples === undefined) this.pending.set(slot, (tuples = new Map()));
    let fields = tuples.get(tuple);
    if (fields === undefined) tuples.set(tuple, (fields = new Map()));
    return fields;
  }
}

const ROUTING_FIELD = (name: string): boolean =>
  name === F.autoRequests || name.startsWith(F.autoTier) || name.startsWith(F.decision);

/** One tuple's counters into the groups of each dimension it belongs to. */
function spread(
  tuple: string,
  fields: Fields,
  deltaOf: (dimension: AnalyticsDimension) => GroupFields,
): void {
  const parts = tuple.split(SEP);
  if (parts[0] === ATTEMPT) {
    addTo(deltaOf('replica'), parts[1], fields);
    return;
  }
  const [, key, tier, model, pool] = parts;
  const routing = new Map<string, number>();
  const request = new Map<string, number>();
  for (const [name, value] of fields) (ROUTING_FIELD(name) ? routing : request).set(name, value);
  addTo(deltaOf('total'), '', request);
  addTo(deltaOf('key'), key, request);
  addTo(deltaOf('tier'), tier, request);
  addTo(deltaOf('model'), model, request);
  addTo(deltaOf('pool'), pool, request);
  if (routing.size > 0) addTo(deltaOf('routing'), '', routing);
}

function addTo(groups: GroupFields, group: string, fields: ReadonlyMap<string, number>): void {
  let into = groups.get(group);
  if (into === undefined) groups.set(group, (into = new Map()));
  mergeFields(into, fields);
}
