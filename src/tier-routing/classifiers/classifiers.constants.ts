import type { Context } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletionRequest } from '../../common/openai';
import type { TierName } from '../../config/gateway-config.interface';

/**
 * The embeddings function the `semantic` classifier calls, bound by whoever owns the embeddings
 * pool. It must honour `signal`: the classifier aborts it when its budget is spent.
 *
 * @example
 * ```ts
 * { provide: EMBEDDINGS_PORT, useFactory: (pools: UpstreamPoolsService): EmbeddingsPort =>
 *     (inputs, signal) => pools.embeddings.embed(inputs, signal), inject: [UpstreamPoolsService] }
 * ```
 */
export type EmbeddingsPort = (
  inputs: string[],
  signal: AbortSignal,
  /** The parent of the call's spans (the route span of the request being classified). */
  traceContext?: Context,
) => Promise<number[][]>;

/** Injection token of the {@link EmbeddingsPort}; optional (the `semantic` step abstains without it). */
export const EMBEDDINGS_PORT = Symbol('EMBEDDINGS_PORT');

/**
 * Resolves an explicitly named model for `POST /v1/route`, as the router does before any
 * classifier runs: `{ tier, reason }` for a tier, alias or pool model id, null for `auto` or none.
 */
export type ExplicitModelResolver = (
  model: string | undefined,
) => { tier: TierName; reason: string } | null;

/** Injection token of the {@link ExplicitModelResolver}; optional. */
export const EXPLICIT_MODEL_RESOLVER = Symbol('EXPLICIT_MODEL_RESOLVER');

/**
 * Admits a `POST /v1/route` call as the chat front admits a chat request (issue 13, finding 9):
 * the key's permission for `model` (403, or 404 listing only what it may use), then its limits
 * (429), counted and metered like a request. Answers whether the key may use a chat tier, so
 * the explanation never describes a route the key cannot take.
 */
export type RouteAdmission = (
  request: FastifyRequest,
  reply: FastifyReply,
  body: ChatCompletionRequest,
) => Promise<{ mayUseTier(tier: TierName): boolean }>;

/** Injection token of the {@link RouteAdmission}; optional (unbound: nothing is checked). */
export const ROUTE_ADMISSION = Symbol('ROUTE_ADMISSION');

/** Injection token of the learned model's artifact; defaults to the committed one. */
export const LEARNED_MODEL_ARTIFACT = Symbol('LEARNED_MODEL_ARTIFACT');

/** Injection token of the `semantic` step's labeled exemplars; defaults to the committed ones. */
export const SEMANTIC_EXEMPLARS = Symbol('SEMANTIC_EXEMPLARS');
