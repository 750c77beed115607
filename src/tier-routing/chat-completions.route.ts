import { getSchemaPath } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequestDto } from '../common/openai';
import type { DocumentedRoute } from '../openapi/openapi.setup';
import type { ChatCompletionsHandler } from './chat-completions.handler';

export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';

/**
 * What Nest's global enhancers do to a request, as plain calls, for a route served beside Nest's
 * router (`src/app.hot-route.ts` builds it from the enhancers themselves, ADR 0015).
 */
export interface RouteEdge {
  /** The global guard's decision (the key; 401, 403). */
  authorize(request: FastifyRequest): void;
  /** The global pipe on a body declared as `type` (400). */
  validate<T extends object>(type: new () => T, body: unknown): T;
  /** The global exception filter: the error's envelope, status and headers on `reply`. */
  render(error: unknown, request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * `POST /v1/chat/completions` registered on Fastify itself rather than through a Nest controller:
 * the guard, the pipe and the filter as plain calls, then the handler, with no execution context,
 * parameter resolvers or pipe chain per request (ADR 0015). Fastify's hooks (request id, telemetry,
 * the early key check, security headers, body limit and parser) run as for every route.
 */
export function registerChatCompletionsRoute(
  fastify: FastifyInstance,
  edge: RouteEdge,
  handler: ChatCompletionsHandler,
): void {
  fastify.post(CHAT_COMPLETIONS_PATH, (request, reply) => {
    try {
      edge.authorize(request);
      const body = edge.validate(ChatCompletionRequestDto, request.body);
      return handler
        .handle(body, request, reply)
        .catch((error: unknown) => edge.render(error, request, reply));
    } catch (error) {
      edge.render(error, request, reply);
      return undefined;
    }
  });
}

/** The route in the OpenAPI document, as its controller described it before (ADR 0015). */
export const CHAT_COMPLETIONS_OPENAPI: DocumentedRoute = {
  path: CHAT_COMPLETIONS_PATH,
  method: 'post',
  models: [ChatCompletionRequestDto],
  operation: {
    // The id Nest's scanner gave the controller method: generated clients keep their name.
    operationId: 'ChatCompletionsController_create',
    summary: 'OpenAI Chat Completions, routed to the instant or thinking tier',
    tags: ['chat'],
    security: [{ bearer: [] }],
    parameters: [],
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(ChatCompletionRequestDto) } },
      },
    },
    responses: { '200': { description: '' } },
  },
};
