import { ErrorCode, GatewayException } from '../common/errors';
import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  ToolChoice,
  ToolDefinition,
} from '../common/openai';
import { ResponsesMessages } from './responses.messages';
import type {
  FunctionTool,
  InputContentPart,
  InputItem,
  ResponsesRequest,
  ResponsesToolChoice,
} from './responses.types';

/**
 * The Responses fields the translation reads: they never reach the upstream as they are. Every
 * other field of the body (a vLLM extra such as `top_k`) passes through to the chat request.
 */
const TRANSLATED_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'text',
  'metadata',
  'store',
  'stream',
  'stream_options',
  'previous_response_id',
  'user',
  'truncation',
  'background',
  'include',
  'service_tier',
  // Hints with no effect on a self-hosted upstream (docs/responses-api.md).
  'prompt_cache_key',
  'safety_identifier',
]);

/** `body.input` as a list of items (a string is one user message). */
export function inputItems(body: ResponsesRequest): InputItem[] {
  const input = body.input;
  if (input === undefined) return [];
  return typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input;
}

/**
 * The chat request a Responses request stands for: `history` (the stored conversation of
 * `previous_response_id`, its outputs included) then this request's input, after the
 * `instructions` as a system message (they are not carried over from the previous response,
 * as OpenAI documents).
 *
 * @throws GatewayException 400 for an item, part, tool or choice the gateway cannot translate.
 */
export function toChatRequest(
  body: ResponsesRequest,
  history: readonly InputItem[] = [],
): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    messages.push({ role: 'system', content: body.instructions });
  }
  appendItems(messages, history, 'previous_response_id');
  appendItems(messages, inputItems(body), 'input');
  if (messages.length === 0) {
    throw new GatewayException(
      ErrorCode.MissingField,
      ResponsesMessages.invalidField('input', 'give at least one input item'),
      { param: 'input' },
    );
  }
  const chat: ChatCompletionRequest = { messages };
  for (const key of Object.keys(body)) {
    if (!TRANSLATED_FIELDS.has(key)) chat[key] = body[key];
  }
  if (body.model !== undefined) chat.model = body.model;
  if (body.tools !== undefined && body.tools.length > 0) chat.tools = body.tools.map(toChatTool);
  if (body.tool_choice !== undefined) chat.tool_choice = toChatToolChoice(body.tool_choice);
  if (typeof body.parallel_tool_calls === 'boolean') {
    chat.parallel_tool_calls = body.parallel_tool_calls;
  }
  if (typeof body.max_output_tokens === 'number') {
    chat.max_completion_tokens = body.max_output_tokens;
  }
  if (typeof body.temperature === 'number') chat.temperature = body.temperature;
  if (typeof body.top_p === 'number') chat.top_p = body.top_p;
  const effort = body.reasoning?.effort;
  if (typeof effort === 'string') chat.reasoning_effort = effort;
  const format = body.text?.format;
  if (format !== undefined && format.type !== 'text') {
    chat.response_format =
      format.type === 'json_object'
        ? { type: 'json_object' }
        : {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.description !== undefined && { description: format.description }),
              ...(typeof format.strict === 'boolean' && { strict: format.strict }),
            },
          };
  }
  if (typeof body.user === 'string') chat.user = body.user;
  if (body.stream === true) chat.stream = true;
  return chat;
}

function appendItems(messages: ChatMessage[], items: readonly InputItem[], param: string): void {
  items.forEach((item, index) => {
    const at = `${param}[${index}]`;
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        const message = item as Extract<InputItem, { role: string }>;
        if (typeof message.role !== 'string' || message.content === undefined) {
          throw invalid(at, "a message item needs 'role' and 'content'");
        }
        messages.push({
          role: message.role,
          content: toChatContent(message.content, `${at}.content`),
        });
        return;
      }
      case 'function_call': {
        const call = item as Extract<InputItem, { type: 'function_call' }>;
        if (typeof call.call_id !== 'string' || typeof call.name !== 'string') {
          throw invalid(at, "a function_call item needs 'call_id', 'name' and 'arguments'");
        }
        const toolCall = {
          id: call.call_id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments ?? '' },
        };
        // Consecutive calls (parallel tool calls) are one assistant turn, as chat has them.
        const last = messages[messages.length - 1];
        if (last?.role === 'assistant' && (last.tool_calls || !hasText(last.content))) {
          last.tool_calls = [...(last.tool_calls ?? []), toolCall];
        } else {
          messages.push({ role: 'assistant', content: null, tool_calls: [toolCall] });
        }
        return;
      }
      case 'function_call_output': {
        const output = item as Extract<InputItem, { type: 'function_call_output' }>;
        if (typeof output.call_id !== 'string' || output.output === undefined) {
          throw invalid(at, "a function_call_output item needs 'call_id' and 'output'");
        }
        messages.push({
          role: 'tool',
          tool_call_id: output.call_id,
          content:
            typeof output.output === 'string'
              ? output.output
              : textOf(output.output, `${at}.output`),
        });
        return;
      }
      case 'reasoning':
        // Past reasoning is not sent back: chat templates drop it from earlier turns too.
        return;
      default:
        throw new GatewayException(
          ErrorCode.InvalidValue,
          ResponsesMessages.unsupportedItem(type),
          {
            param: `${at}.type`,
          },
        );
    }
  });
}

function toChatContent(
  content: string | InputContentPart[],
  param: string,
): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return toChatParts(content, param);
}

function toChatParts(content: InputContentPart[], param: string): ContentPart[] {
  return content.map((part, index) => {
    const at = `${param}[${index}]`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        if (typeof part.text !== 'string') throw invalid(`${at}.text`, 'expected a string');
        return { type: 'text', text: part.text };
      case 'refusal':
        return { type: 'text', text: part.refusal };
      case 'input_image':
        if (typeof part.image_url !== 'string') {
          throw new GatewayException(ErrorCode.InvalidValue, ResponsesMessages.imageFileId(), {
            param: `${at}.image_url`,
          });
        }
        return {
          type: 'image_url',
          image_url: {
            url: part.image_url,
            ...(part.detail !== undefined && { detail: part.detail }),
          },
        };
      default:
        throw new GatewayException(
          ErrorCode.InvalidValue,
          ResponsesMessages.unsupportedPart(String((part as { type: unknown }).type)),
          { param: `${at}.type` },
        );
    }
  });
}

/** A function call's output given as parts: its text (tool messages carry text). */
function textOf(parts: InputContentPart[], param: string): string {
  return toChatParts(parts, param)
    .map((part) => {
      if (part.type !== 'text') throw invalid(param, 'a function_call_output carries text only');
      return part.text ?? '';
    })
    .join('');
}

function toChatTool(tool: FunctionTool, index: number): ToolDefinition {
  if (tool.type !== 'function') {
    throw new GatewayException(
      ErrorCode.InvalidValue,
      ResponsesMessages.unsupportedTool(tool.type),
      {
        param: `tools[${index}].type`,
      },
    );
  }
  if (typeof tool.name !== 'string' || tool.name === '') {
    throw invalid(`tools[${index}].name`, 'a function tool needs a name');
  }
  return {
    type: 'function',
    function: {
      name: tool.name,
      ...(typeof tool.description === 'string' && { description: tool.description }),
      ...(tool.parameters != null && { parameters: tool.parameters }),
      ...(typeof tool.strict === 'boolean' && { strict: tool.strict }),
    },
  };
}

function toChatToolChoice(choice: ResponsesToolChoice): ToolChoice {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && typeof choice.name === 'string') {
    return { type: 'function', function: { name: choice.name } };
  }
  throw new GatewayException(
    ErrorCode.InvalidValue,
    ResponsesMessages.unsupportedField(
      'tool_choice',
      `'${choice.type}' choices name hosted tools or tool sets; use 'none', 'auto', 'required' or {"type":"function","name":…}`,
    ),
    { param: 'tool_choice' },
  );
}

function hasText(content: ChatMessage['content']): boolean {
  return typeof content === 'string'
    ? content !== ''
    : Array.isArray(content) && content.length > 0;
}

function invalid(param: string, problem: string): GatewayException {
  return new GatewayException(
    ErrorCode.InvalidValue,
    ResponsesMessages.invalidField(param, problem),
    {
      param,
    },
  );
}
