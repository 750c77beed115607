import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import { checkRequestBounds, type ChatCompletionChunk, type RequestBounds } from '../common/openai';
import type { SseEvent } from '../common/sse';
import { estimatePromptTokens } from '../common/tokens';
import { ChatInferenceService, InferenceResponder, type InferenceExchange } from '../tier-routing';
import { answersNatively, NativeResponses } from './native-responses';
import { conversationOf, type ResponseStore, type StoredResponse } from './response-store';
import { newItemId, toResponse, type ResponseFrame } from './responses-output.translator';
import { inputItems, toChatRequest } from './responses-request.translator';
import { ResponsesStreamTranslator } from './responses-stream.translator';
import { RESPONSES_CONFIG, type ResponsesSlice } from './responses.config';
import { RESPONSE_STORE } from './responses.constants';
import { ResponsesMessages } from './responses.messages';
import type {
  InputItem,
  ResponseObject,
  ResponsesRequest,
  StoredInputItem,
} from './responses.types';

/**
 * `POST /v1/responses` over the chat seam: the stored conversation of `previous_response_id`
 * and the request's input become one chat request; routing, limits, tools and telemetry are
 * the chat front's ({@link ChatInferenceService}); the answer, whole or streamed, is translated
 * back and stored per key unless `store: false`. A pool with `responses_api: native` answers
 * on its replicas' own `/v1/responses` instead ({@link NativeResponses}), in the same shapes.
 */
@Injectable()
export class ResponsesService {
  private readonly logger = new Logger('Responses');
  private readonly bounds: RequestBounds;

  constructor(
    private readonly responder: InferenceResponder,
    private readonly inference: ChatInferenceService,
    @Inject(RESPONSE_STORE) private readonly store: ResponseStore,
    @Inject(RESPONSES_CONFIG.token) config: ResponsesSlice,
  ) {
    this.bounds = { ...config.request, maxToolCalls: config.maxToolCalls };
  }

  async create(
    body: ResponsesRequest,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const owner = ownerOf(request);
    const previousId = body.previous_response_id;
    const history =
      typeof previousId === 'string'
        ? conversationOf(await this.stored(owner, previousId, 'previous_response_id'))
        : [];
    const chat = toChatRequest(body, history);
    checkRequestBounds(chat, this.bounds);
    const frame: ResponseFrame = {
      id: newItemId('resp'),
      createdAt: Math.floor(Date.now() / 1000),
      request: body,
    };
    const save = (response: ResponseObject) =>
      body.store === false ? Promise.resolve() : this.save(owner, response, body, history);
    await this.responder.respond(
      request,
      reply,
      {
        model: chat.model,
        endpoint: 'chat',
        promptTokens: estimatePromptTokens(chat.messages, chat.tools),
        maxTokens: chat.max_completion_tokens ?? undefined,
        choices: 1,
        stream: body.stream === true,
      },
      async (exchange) => {
        const route = await this.inference.route(exchange, chat);
        // A native pool answers itself, unless the gateway runs a registered tool (the bridge).
        const native = answersNatively(route, this.inference.runsTools(exchange, chat))
          ? new NativeResponses(exchange, route, frame)
          : undefined;
        if (body.stream !== true) {
          const response = native
            ? await native.complete(history)
            : toResponse(await this.inference.complete(exchange, chat, route), frame);
          await save(response);
          await exchange.sendJson(response);
          return;
        }
        const writer = exchange.sseWriter();
        const events = native
          ? native.stream(history, writer.gate, save)
          : this.events(
              exchange,
              this.inference.stream(exchange, chat, writer, route),
              frame,
              save,
            );
        await exchange.streamSse(writer, events, { done: false });
      },
    );
  }

  /** `GET /v1/responses/{id}`. */
  async get(request: FastifyRequest, id: string): Promise<ResponseObject> {
    return (await this.stored(ownerOf(request), id, 'id')).response;
  }

  /** `GET /v1/responses/{id}/input_items`, oldest first with `order=asc`. */
  async inputItems(
    request: FastifyRequest,
    id: string,
    order: 'asc' | 'desc',
    limit: number,
  ): Promise<{
    object: 'list';
    data: StoredInputItem[];
    first_id: string | null;
    last_id: string | null;
    has_more: boolean;
  }> {
    const stored = await this.stored(ownerOf(request), id, 'id');
    const all = order === 'asc' ? stored.input : [...stored.input].reverse();
    const data = all.slice(0, limit);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: all.length > data.length,
    };
  }

  /** `DELETE /v1/responses/{id}`. */
  async delete(
    request: FastifyRequest,
    id: string,
  ): Promise<{ id: string; object: 'response'; deleted: true }> {
    if (!(await this.store.delete(ownerOf(request), id))) throw notFound(id, 'id');
    return { id, object: 'response', deleted: true };
  }

  private async stored(owner: string, id: string, param: string): Promise<StoredResponse> {
    const stored = await this.store.get(owner, id);
    if (stored === undefined) throw notFound(id, param);
    return stored;
  }

  private async save(
    owner: string,
    response: ResponseObject,
    body: ResponsesRequest,
    history: InputItem[],
  ): Promise<void> {
    const input = inputItems(body).map(withId);
    try {
      await this.store.put(owner, { response, input, history });
    } catch (error) {
      // The answer is good; only its continuation is lost. Say so, do not fail the request.
      this.logger.warn(`${ResponsesMessages.storeFailed(response.id)} ${String(error)}`);
    }
  }

  /**
   * The chat chunks as Responses events. A failure after `response.created` ends the stream
   * in-band with `response.failed` (recorded like a chat stream's in-band error); before it,
   * the failure reaches the caller as a status.
   */
  private events(
    exchange: InferenceExchange,
    chunks: Observable<ChatCompletionChunk>,
    frame: ResponseFrame,
    save: (response: ResponseObject) => Promise<void>,
  ): Observable<SseEvent> {
    return new Observable<SseEvent>((subscriber) => {
      const translator = new ResponsesStreamTranslator(frame);
      const emit = (events: SseEvent[]): void => {
        for (const event of events) subscriber.next(event);
      };
      return chunks.subscribe({
        next: (chunk) => emit(translator.push(chunk)),
        error: (error: unknown) => {
          if (!translator.committed) {
            subscriber.error(error);
            return;
          }
          emit(translator.fail(exchange.renderError(error)));
          subscriber.complete();
        },
        complete: () => {
          const { events, response } = translator.finish();
          void save(response).then(() => {
            emit(events);
            subscriber.complete();
          });
        },
      });
    });
  }
}

/** Whose stored responses a request sees: its key's (one shared owner with auth disabled). */
function ownerOf(request: FastifyRequest): string {
  return request.caller?.keyName ?? '';
}

function notFound(id: string, param: string): GatewayException {
  return new GatewayException(ErrorCode.NotFound, ResponsesMessages.responseNotFound(id), {
    param,
  });
}

const ITEM_PREFIXES: Readonly<Record<string, 'msg' | 'fc' | 'fco' | 'rs'>> = {
  message: 'msg',
  function_call: 'fc',
  function_call_output: 'fco',
  reasoning: 'rs',
};

/** An input item as listed: with an id, and a message's text as `input_text` parts. */
function withId(item: InputItem): StoredInputItem {
  const type = item.type ?? 'message';
  const id = item.id ?? newItemId(ITEM_PREFIXES[type] ?? 'msg');
  if (type === 'message' && 'role' in item && typeof item.content === 'string') {
    return {
      ...item,
      type: 'message',
      id,
      content: [
        { type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content },
      ],
    } as StoredInputItem;
  }
  return { ...item, type, id } as StoredInputItem;
}
