import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import type { OpenAiErrorBody } from '../openai/chat.types';
import type { SseResponseWriter } from './sse-writer';

export interface SseReplyOptions {
  /** A `: ping` is sent after this long without a byte, also before the first payload. */
  heartbeatMs: number;
  /** The in-band error event for a failure after the first byte (SPEC §7). */
  renderError(error: unknown): OpenAiErrorBody;
}

/**
 * Answers a Fastify request with an OpenAI-style SSE stream, opened lazily: a failure before
 * the first payload rejects the returned promise, so the exception filter still answers with a
 * proper status (an upstream 400 stays a 400). After the first byte, failures go in-band. When
 * the caller leaves, the source is unsubscribed, which aborts the upstream request.
 */
export function replyWithSse(
  reply: FastifyReply,
  writer: SseResponseWriter,
  source: Observable<string>,
  options: SseReplyOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let opened = false;
    const open = (): void => {
      if (opened) return;
      opened = true;
      if (preOpenTimer) clearTimeout(preOpenTimer);
      reply.hijack();
      writer.open(reply.getHeaders() as Record<string, string | number | string[]>);
    };
    // A slow first token must not let proxies close the connection: open early and ping.
    const preOpenTimer =
      options.heartbeatMs > 0
        ? setTimeout(() => {
            open();
            writer.writeComment('ping');
          }, options.heartbeatMs)
        : undefined;
    const subscription = source.subscribe({
      next: (payload) => {
        if (!opened) open();
        writer.writeData(payload);
      },
      error: (error: unknown) => {
        if (preOpenTimer) clearTimeout(preOpenTimer);
        if (!opened) return reject(error);
        writer.writeError(options.renderError(error));
        writer.end();
        resolve();
      },
      complete: () => {
        if (!opened) open();
        writer.writeDone();
        writer.end();
        resolve();
      },
    });
    reply.raw.once('close', () => {
      if (preOpenTimer) clearTimeout(preOpenTimer);
      subscription.unsubscribe();
      resolve();
    });
  });
}
