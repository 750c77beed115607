import { mergeFields, type Fields, type Outcome } from './analytics-fields';
import type { AnalyticsDimension, BucketDelta, GroupFields } from './analytics-store.interface';
import { bucketStart, RESOLUTIONS, retentionSeconds, SLOT_SECONDS } from './analytics-windows';
import { PendingCounters } from './pending-counters';

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

/** Nested by key, tier, model, pool: four lookups of strings already hashed, no key built. */
type RequestGroups = Map<string, Map<string, Map<string, Map<string, PendingCounters>>>>;

/** One 10 s slot's pending figures: requests by their tuple, attempts by replica. */
interface Slot {
  requests: RequestGroups;
  attempts: Map<string, PendingCounters>;
}

/**
 * The hot path's half of analytics: each record adds to this process's pending figures for the
 * current 10 s slot, keyed by the request's (key, tier, model, pool), with no I/O, no field name
 * built and no per-dimension work. {@link drain} (on the flush interval, or before a read)
 * names the figures and spreads them over the dimensions and the resolutions of every window,
 * as deltas for the store.
 */
export class AnalyticsAggregator {
  private pending = new Map<number, Slot>();
  private slotStart = Number.NaN;
  private slot: Slot | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  recordRequest(sample: RequestSample): void {
    const counters = within(
      within(within(within(this.currentSlot().requests, sample.key), sample.tier), sample.model),
      sample.pool,
      PendingCounters,
    );
    counters.addOutcome(sample);
    if (sample.auto !== undefined) counters.addAuto(sample.auto.tier, sample.auto.step);
  }

  recordAttempt(sample: AttemptSample): void {
    within(this.currentSlot().attempts, sample.replica, PendingCounters).addOutcome(sample);
  }

  /** Whether anything awaits a flush. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  /** Takes everything pending, as one delta per (resolution, bucket, dimension). */
  drain(): BucketDelta[] {
    const pending = this.pending;
    this.pending = new Map();
    this.slot = undefined;
    this.slotStart = Number.NaN;
    const deltas = new Map<string, BucketDelta>();
    for (const [slot, groups] of pending) {
      const named = nameFigures(groups);
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
        for (const figures of named) spread(figures, deltaOf);
      }
    }
    return [...deltas.values()];
  }

  private currentSlot(): Slot {
    const start = bucketStart(Math.floor(this.now() / 1000), SLOT_SECONDS);
    if (start === this.slotStart && this.slot !== undefined) return this.slot;
    let slot = this.pending.get(start);
    if (slot === undefined)
      this.pending.set(start, (slot = { requests: new Map(), attempts: new Map() }));
    this.slotStart = start;
    this.slot = slot;
    return slot;
  }
}

/** The value under `key`, created (a new map, or a `make`) the first time. */
function within<V>(map: Map<string, V>, key: string, make?: new () => V): V;
function within<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V>;
function within<V>(map: Map<string, V>, key: string, make?: new () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make ? new make() : (new Map() as V);
    map.set(key, value);
  }
  return value;
}

/** One group of one slot with its figures named: what the dimensions are spread from. */
type NamedFigures =
  | { kind: 'attempt'; replica: string; fields: Fields }
  | {
      kind: 'request';
      key: string;
      tier: string;
      model: string;
      pool: string;
      fields: Fields;
      routing: Fields;
    };

function nameFigures(slot: Slot): NamedFigures[] {
  const named: NamedFigures[] = [];
  for (const [key, tiers] of slot.requests)
    for (const [tier, models] of tiers)
      for (const [model, pools] of models)
        for (const [pool, counters] of pools)
          named.push({
            kind: 'request',
            key,
            tier,
            model,
            pool,
            fields: counters.toFields(),
            routing: counters.routingFields(),
          });
  for (const [replica, counters] of slot.attempts)
    named.push({ kind: 'attempt', replica, fields: counters.toFields() });
  return named;
}

/** One group's counters into the groups of each dimension it belongs to. */
function spread(
  figures: NamedFigures,
  deltaOf: (dimension: AnalyticsDimension) => GroupFields,
): void {
  if (figures.kind === 'attempt') {
    addTo(deltaOf('replica'), figures.replica, figures.fields);
    return;
  }
  const { fields } = figures;
  addTo(deltaOf('total'), '', fields);
  addTo(deltaOf('key'), figures.key, fields);
  addTo(deltaOf('tier'), figures.tier, fields);
  addTo(deltaOf('model'), figures.model, fields);
  addTo(deltaOf('pool'), figures.pool, fields);
  if (figures.routing.size > 0) addTo(deltaOf('routing'), '', figures.routing);
}

function addTo(groups: GroupFields, group: string, fields: ReadonlyMap<string, number>): void {
  let into = groups.get(group);
  if (into === undefined) groups.set(group, (into = new Map()));
  mergeFields(into, fields);
}
