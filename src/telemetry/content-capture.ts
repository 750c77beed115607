/**
 * Message content in the GenAI conventions' JSON shape (`gen_ai.input.messages`,
 * `gen_ai.output.messages`: `[{role, parts: [{type, …}]}]`), built only when content capture
 * is on. OpenAI wire messages in, JSON text out.
 */

interface WireMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

type Part = Record<string, unknown>;

export function inputMessagesJson(body: unknown): string | undefined {
  const request = body as { messages?: unknown; prompt?: unknown } | null;
  if (Array.isArray(request?.messages)) {
    return JSON.stringify(request.messages.map((m) => toSemconv(m as WireMessage)));
  }
  if (request?.prompt !== undefined) {
    return JSON.stringify([{ role: 'user', parts: textParts(request.prompt) }]);
  }
  return undefined;
}

/** The choices of a completion (chat `message`, legacy `text`) as output messages. */
export function outputMessagesJson(result: unknown): string | undefined {
  const choices = (result as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return undefined;
  return JSON.stringify(
    choices.map((raw) => {
      const choice = raw as { message?: WireMessage; text?: unknown; finish_reason?: unknown };
      const message = choice.message ?? { role: 'assistant', content: choice.text };
      return { ...toSemconv(message), finish_reason: choice.finish_reason ?? null };
    }),
  );
}

/** A streamed answer's text, gathered from its deltas. */
export function streamedOutputJson(text: string, finishReason: string | undefined): string {
  return JSON.stringify([
    {
      role: 'assistant',
      parts: [{ type: 'text', content: text }],
      finish_reason: finishReason ?? null,
    },
  ]);
}

function toSemconv(message: WireMessage): { role: unknown; parts: Part[] } {
  const parts: Part[] = [];
  if (message.role === 'tool') {
    parts.push({ type: 'tool_call_response', id: message.tool_call_id, response: message.content });
  } else {
    parts.push(...textParts(message.content));
  }
  if (Array.isArray(message.tool_calls)) {
    for (const raw of message.tool_calls) {
      const call = raw as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
      parts.push({
        type: 'tool_call',
        id: call.id,
        name: call.function?.name,
        arguments: call.function?.arguments,
      });
    }
  }
  return { role: message.role, parts };
}

function textParts(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((raw) => {
    const part = raw as { type?: unknown; text?: unknown };
    if (typeof raw === 'string') return { type: 'text', content: raw };
    return part.type === 'text' ? { type: 'text', content: part.text } : { type: part.type };
  });
}
