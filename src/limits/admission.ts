import type { CallerIdentity } from '../auth';
import { UsageTotal, type RequestAccounting } from '../common/usage';
import type { SpendTicket } from '../spend';
import { streamedTokens } from './streamed-tokens';

/** What the gateway serves, for accounting: `chat`, `completions`, `embeddings` or `route`. */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'route';

/** A reservation made in the store, to be settled once the real usage is known. */
export interface Reservation {
  window: number;
  leaseId: string;
  tokens: number;
}

/** How the response ended, as the settlement reads it (a Node `ServerResponse` is one). */
export interface ResponseEnd {
  /** Whether the whole response was written (else the caller left, or it broke). */
  readonly writableFinished: boolean;
  readonly statusCode: number;
}

/**
 * What admission answers the front (a value; the front applies it to its reply):
 * `decision` is `admitted` (reserved in the store) or `unmetered` (the store was unreachable
 * and `limits.redis.on_error` is `open`); a refusal is thrown instead, as a 429 or 503
 * `GatewayException` carrying its own headers.
 */
export interface AdmissionGrant {
  readonly decision: 'admitted' | 'unmetered';
  readonly admission: Admission;
  /**
   * The OpenAI rate-limit headers to set before anything is sent (none when unmetered), and
   * the budget warning when a threshold is reached.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The request's spend (its calls' prices, its budget reservation); absent with no prices. */
  readonly spend?: SpendTicket;
  /**
   * Settles the request once its response closed: the store, the usage metrics, the spend
   * (its cost, its budget) and what the request's log line says of its accounting. Only the first call settles (later ones
   * answer undefined); never throws.
   */
  settle(response: ResponseEnd): RequestAccounting | undefined;
}

/**
 * One admitted request, from the rate-limit check to its settlement: it gathers what the
 * request used (routed tier and model, usage of each upstream call, tool rounds, the error that
 * ended it) and is settled exactly once, when the response closes, on every path: success,
 * error, in-band stream error, client disconnect.
 *
 * @example
 * const { admission } = await limits.admit(caller, { endpoint: 'chat', … });
 * admission.routed(route.tier, route.config.model);
 * admission.addUsage(completion.usage);
 */
export class Admission {
  /** Every upstream call's usage; the accounting charges {@link UsageTotal.charged}. */
  readonly usage = new UsageTotal();
  readonly startedAt = Date.now();
  tier = 'none';
  model = 'none';
  toolRounds = 0;
  failure: unknown = undefined;
  settled = false;
  /** Completion tokens streamed since the last upstream usage report (estimated). */
  unreportedStreamTokens = 0;

  constructor(
    readonly caller: CallerIdentity,
    readonly endpoint: Endpoint,
    readonly requestedModel: string | undefined,
    readonly stream: boolean,
    /** Undefined when the store could not be reached and the failure mode let it through. */
    readonly reservation: Reservation | undefined,
    /** The prompt estimate admission reserved for. */
    readonly promptTokens = 0,
  ) {}

  /** Where the request went: the tier (or `embeddings`) and the model id the upstream got. */
  routed(tier: string, model: string): void {
    this.tier = tier;
    this.model = model;
  }

  addUsage(usage: unknown): void {
    this.usage.add(usage);
    // A report covers everything its call streamed.
    if (isObject(usage)) this.unreportedStreamTokens = 0;
  }

  /** A chunk went out to the caller: its tokens count until a usage report covers them. */
  addStreamed(chunk: unknown): void {
    this.unreportedStreamTokens += streamedTokens(chunk);
  }

  /**
   * What the request costs against the key's token limit once it ended: the usage upstreams
   * reported, plus, for a call that streamed without reporting (the caller left, the stream
   * broke), its prompt estimate and what it streamed. With neither, an error cost nothing worth
   * charging and anything else keeps its reservation.
   */
  chargedTokens(outcome: 'ok' | 'error' | 'aborted'): number {
    const pending = this.unreportedStreamTokens;
    const charged = this.usage.charged.total;
    if (pending > 0) return charged + this.promptTokens + pending;
    if (this.usage.reported) return charged;
    return outcome === 'error' ? 0 : (this.reservation?.tokens ?? 0);
  }

  addToolRound(): void {
    this.toolRounds++;
  }

  /** The error that ended the request (the first one counts). */
  fail(error: unknown): void {
    this.failure ??= error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
