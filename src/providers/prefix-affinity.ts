import type { ChatCompletionRequest, ChatMessage } from '../common/openai/chat.types';
import type { Replica } from './replica';

/** Points on the ring per unit of weight: enough for an even spread over a handful of replicas. */
const POINTS_PER_WEIGHT = 64;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018; HAProxy's
 * `hash-balance-factor`): a key goes to the first replica clockwise from its hash that is a
 * candidate and whose load stays within `loadFactor` × the mean, so requests that share a
 * prefix reuse one replica's prefix cache without piling onto it.
 */
export class PrefixAffinityRing {
  private readonly hashes: Uint32Array;
  private readonly owners: Replica[];

  constructor(
    replicas: readonly Replica[],
    private readonly loadFactor: number,
  ) {
    const points: { hash: number; replica: Replica }[] = [];
    for (const replica of replicas) {
      const count = Math.max(1, Math.round(POINTS_PER_WEIGHT * replica.weight));
      for (let i = 0; i < count; i++) {
        points.push({ hash: fnv1a(`${replica.label}#${i}`), replica });
      }
    }
    points.sort((a, b) => a.hash - b.hash);
    this.hashes = Uint32Array.from(points.map((p) => p.hash));
    this.owners = points.map((p) => p.replica);
  }

  /**
   * The replica for `key` among those whose `candidateEpoch` is `epoch`, or undefined when
   * each of them is above the load bound.
   */
  pick(key: number, candidates: readonly Replica[], epoch: number): Replica | undefined {
    let total = 0;
    for (const replica of candidates) total += replica.inFlight;
    const bound = Math.ceil((this.loadFactor * (total + 1)) / candidates.length);
    const n = this.hashes.length;
    let at = lowerBound(this.hashes, key);
    for (let step = 0; step < n; step++, at++) {
      const replica = this.owners[at % n];
      if (replica.candidateEpoch === epoch && replica.inFlight + 1 <= bound) return replica;
    }
    return undefined;
  }
}

/**
 * The affinity key of a chat request: a hash of its system (and developer) messages and its
 * first user turn, the part vLLM's automatic prefix caching can share between requests.
 * Undefined when there is no user turn.
 */
export function prefixKeyOf(body: ChatCompletionRequest): number | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages)) return undefined;
  let hash = FNV_OFFSET;
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'developer') {
      hash = hashContent(hash, message);
    } else if (message.role === 'user') {
      return hashContent(hash, message);
    }
  }
  return undefined;
}

function hashContent(hash: number, message: ChatMessage): number {
  hash = fnv1aUpdate(hash, message.role);
  const content = message.content;
  if (typeof content === 'string') return fnv1aUpdate(hash, content);
  if (Array.isArray(content)) {
    for (const part of content) {
      hash = fnv1aUpdate(hash, typeof part.text === 'string' ? part.text : JSON.stringify(part));
    }
  }
  return hash;
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a, 32 bits, over UTF-16 code units: cheap, and good enough to spread keys on a ring. */
export function fnv1a(text: string): number {
  return fnv1aUpdate(FNV_OFFSET, text);
}

function fnv1aUpdate(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A separator, so that ("ab", "c") and ("a", "bc") differ.
  h ^= 0xff;
  return Math.imul(h, 0x01000193) >>> 0;
}

function lowerBound(values: Uint32Array, key: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
