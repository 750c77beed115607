import { randomBytes } from 'node:crypto';
import type { Generation, StreamEvent } from './simulator';

/**
 * A vLLM-like `/v1/responses` for the simulator: the request is read as the chat request it
 * stands for (so every behaviour and `x_sim` script applies), the generation is answered as a
 * response object or as the Responses event sequence (no `[DONE]`, as OpenAI and vLLM send it).
 */
type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const id = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObj(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** The chat request a Responses request stands for (messages, tools, max tokens, `x_sim`). */
export function chatOfResponses(body: Json): Json {
  const messages: Json[] = [];
  if (typeof body.instructions === 'string')
    messages.push({ role: 'system', content: body.instructions });
  const input =
    typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  for (const item of Array.isArray(input) ? input : []) {
    if (!isObj(item)) continue;
    const type = item.type ?? 'message';
    if (type === 'message') messages.push({ role: item.role, content: text(item.content) });
    else if (type === 'function_call') {
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: item.call_id,
            type: 'function',
            function: { name: item.name, arguments: item.arguments },
          },
        ],
      });
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: text(item.output) });
    } else if (type !== 'reasoning') {
      messages.push({ role: 'user', content: `unknown item ${String(type)}` });
    }
  }
  const tools = Array.isArray(body.tools)
    ? body.tools.filter(isObj).map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
      }))
    : undefined;
  return {
    model: body.model,
    messages: input === undefined ? undefined : messages,
    ...(tools ? { tools } : {}),
    ...(typeof body.max_output_tokens === 'number' ? { max_tokens: body.max_output_tokens } : {}),
    stream: body.stream,
    x_sim: body.x_sim,
  };
}

function usage(gen: Generation): Json {
  return {
    input_tokens: gen.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: gen.completionTokens,
    output_tokens_details: { reasoning_tokens: gen.reasoning.length },
    total_tokens: gen.promptTokens + gen.completionTokens,
  };
}

function items(gen: Generation, ids: { rs: string; msg: string }): Json[] {
  const output: Json[] = [];
  if (gen.reasoning.length > 0) {
    output.push({
      type: 'reasoning',
      id: ids.rs,
      summary: [],
      content: [{ type: 'reasoning_text', text: gen.reasoning.join('') }],
    });
  }
  if (gen.content.length > 0 || !gen.toolCalls) {
    output.push({
      type: 'message',
      id: ids.msg,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: gen.content.join(''), annotations: [] }],
    });
  }
  for (const call of gen.toolCalls ?? []) {
    output.push({
      type: 'function_call',
      id: `fc_${call.id}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  }
  return output;
}

function shell(respId: string, model: string, status: string): Json {
  return {
    id: respId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model,
    status,
    output: [],
  };
}

function finished(gen: Generation, respId: string, model: string, output: Json[]): Json {
  const length = gen.finishReason === 'length';
  return {
    ...shell(respId, model, length ? 'incomplete' : 'completed'),
    incomplete_details: length ? { reason: 'max_output_tokens' } : null,
    output,
    usage: usage(gen),
  };
}

/** The whole answer. */
export function responsesBody(gen: Generation, model: string): Json {
  return finished(gen, id('resp'), model, items(gen, { rs: id('rs'), msg: id('msg') }));
}

/** The event sequence: created, in_progress, each item added / delta… / done, completed. */
export function* responsesEvents(gen: Generation, model: string): Generator<StreamEvent> {
  const respId = id('resp');
  const ids = { rs: id('rs'), msg: id('msg') };
  const output = items(gen, ids);
  let seq = 0;
  let firstToken = true;
  const ev = (type: string, fields: Json, token = false): StreamEvent => {
    const e = {
      json: JSON.stringify({ type, sequence_number: seq++, ...fields }),
      token: token && !firstToken,
    };
    if (token) firstToken = false;
    return e;
  };
  yield ev('response.created', { response: shell(respId, model, 'in_progress') });
  yield ev('response.in_progress', { response: shell(respId, model, 'in_progress') });
  for (let index = 0; index < output.length; index++) {
    const item = output[index];
    const itemId = item.id as string;
    if (item.type === 'function_call') {
      yield ev('response.output_item.added', {
        output_index: index,
        item: { ...item, arguments: '', status: 'in_progress' },
      });
      yield ev(
        'response.function_call_arguments.delta',
        { item_id: itemId, output_index: index, delta: item.arguments },
        true,
      );
      yield ev('response.function_call_arguments.done', {
        item_id: itemId,
        output_index: index,
        arguments: item.arguments,
      });
    } else {
      const reasoning = item.type === 'reasoning';
      const pieces = reasoning ? gen.reasoning : gen.content;
      const kind = reasoning ? 'reasoning_text' : 'output_text';
      const empty = reasoning
        ? { ...item, content: [] }
        : { ...item, status: 'in_progress', content: [] };
      yield ev('response.output_item.added', { output_index: index, item: empty });
      yield ev('response.content_part.added', {
        item_id: itemId,
        output_index: index,
        content_index: 0,
        part: { type: kind, text: '' },
      });
      for (const delta of pieces) {
        yield ev(
          `response.${kind}.delta`,
          { item_id: itemId, output_index: index, content_index: 0, delta },
          true,
        );
      }
      const whole = pieces.join('');
      yield ev(`response.${kind}.done`, {
        item_id: itemId,
        output_index: index,
        content_index: 0,
        text: whole,
      });
      yield ev('response.content_part.done', {
        item_id: itemId,
        output_index: index,
        content_index: 0,
        part: { type: kind, text: whole },
      });
    }
    yield ev('response.output_item.done', { output_index: index, item });
  }
  const done = finished(gen, respId, model, output);
  yield ev(done.status === 'incomplete' ? 'response.incomplete' : 'response.completed', {
    response: done,
  });
}
