import { AnthropicMessages as M } from './anthropic.messages';
import type {
  CountTokensRequest,
  MessagesRequest,
  ThinkingDisplay,
  ThinkingParam,
  ToolChoiceParam,
  ToolParam,
} from './anthropic.types';
import { readMessage, readSystem } from './content-blocks.validator';
import {
  arrayAt,
  invalid,
  numberAt,
  objectAt,
  oneOf,
  onlyKnownKeys,
  optionalBoolean,
  optionalString,
  stringAt,
  type JsonObject,
} from './json-reader';

/** Anthropic's own floor for a thinking budget. */
const MIN_THINKING_BUDGET = 1024;

const PLATFORM = "it runs on Anthropic's platform";

/** Fields of the Messages API this gateway refuses, with the reason the caller reads. */
const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  service_tier: 'the gateway chooses the tier itself: name it with model instant, thinking or auto',
  container: PLATFORM,
  mcp_servers: PLATFORM,
  context_management: PLATFORM,
  output_config: 'structured output and effort settings are not translated yet',
  output_format: 'structured output is not translated yet',
  speed: 'the gateway chooses the tier itself: name it with model instant, thinking or auto',
  inference_geo: PLATFORM,
  workspace_id: PLATFORM,
  user_profile_id: PLATFORM,
  diagnostics: PLATFORM,
};

const COUNT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];
const CREATE_FIELDS = [
  ...COUNT_FIELDS,
  'max_tokens',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'stream',
  'metadata',
];

/** Accepted with no effect (see content-blocks.validator.ts). */
const CACHE_CONTROL = 'cache_control';

/**
 * A `POST /v1/messages` body, validated once at the edge: every field is checked and typed,
 * every field and block the gateway cannot honour is refused with a 400 naming it, and nothing
 * is dropped unsaid.
 *
 * @throws GatewayException 400 naming the first bad field in `param`.
 */
export function validateMessagesRequest(body: unknown): MessagesRequest {
  const object = objectAt(body, 'body');
  onlyKnownKeys(object, '', new Set([...CREATE_FIELDS, CACHE_CONTROL]), UNSUPPORTED_FIELDS);
  const request: MessagesRequest = {
    ...readCommon(object),
    max_tokens: numberAt(object.max_tokens, 'max_tokens', { min: 1, integer: true }),
  };
  if (object.stop_sequences !== undefined) {
    request.stop_sequences = arrayAt(object.stop_sequences, 'stop_sequences').map((s, i) => {
      const path = `stop_sequences[${i}]`;
      const text = stringAt(s, path);
      if (text.length === 0) throw invalid(path, M.wrongType(path, 'a non-empty string'));
      return text;
    });
  }
  if (object.temperature !== undefined) {
    request.temperature = numberAt(object.temperature, 'temperature', { min: 0, max: 1 });
  }
  if (object.top_p !== undefined) {
    request.top_p = numberAt(object.top_p, 'top_p', { min: 0, max: 1 });
  }
  if (object.top_k !== undefined) {
    request.top_k = numberAt(object.top_k, 'top_k', { min: 0, integer: true });
  }
  const stream = optionalBoolean(object.stream, 'stream');
  if (stream !== undefined) request.stream = stream;
  if (object.metadata !== undefined) request.metadata = readMetadata(object.metadata);
  const thinking = request.thinking;
  if (thinking?.type === 'enabled' && thinking.budget_tokens >= request.max_tokens) {
    throw invalid(
      'thinking.budget_tokens',
      M.budgetNotBelowMax(thinking.budget_tokens, request.max_tokens),
    );
  }
  return request;
}

/**
 * A `POST /v1/messages/count_tokens` body: the fields that shape the prompt, and nothing of
 * generation (as Anthropic's own endpoint, which refuses `max_tokens` there).
 */
export function validateCountTokensRequest(body: unknown): CountTokensRequest {
  const object = objectAt(body, 'body');
  onlyKnownKeys(object, '', new Set([...COUNT_FIELDS, CACHE_CONTROL]), UNSUPPORTED_FIELDS);
  return readCommon(object);
}

function readCommon(object: JsonObject): CountTokensRequest {
  const model = stringAt(object.model, 'model');
  if (model.length === 0) throw invalid('model', M.wrongType('model', 'a non-empty string'));
  const messages = arrayAt(object.messages, 'messages');
  if (messages.length === 0) throw invalid('messages', M.emptyMessages());
  const request: CountTokensRequest = {
    model,
    messages: messages.map((m, i) => readMessage(m, `messages[${i}]`)),
  };
  if (object.system !== undefined) request.system = readSystem(object.system, 'system');
  if (object.tools !== undefined) {
    request.tools = arrayAt(object.tools, 'tools').map((t, i) => readTool(t, `tools[${i}]`));
  }
  if (object.tool_choice !== undefined) {
    request.tool_choice = readToolChoice(object.tool_choice, request.tools);
  }
  if (object.thinking !== undefined) request.thinking = readThinking(object.thinking);
  return request;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

function readTool(value: unknown, path: string): ToolParam {
  const tool = objectAt(value, path);
  if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
    throw invalid(
      `${path}.type`,
      M.unsupportedField(
        `${path}.type`,
        `'${String(tool.type)}' is an Anthropic-hosted tool; the gateway runs its own registered tools, named as ordinary tools`,
      ),
    );
  }
  onlyKnownKeys(
    tool,
    path,
    new Set(['type', 'name', 'description', 'input_schema', CACHE_CONTROL]),
    {
      strict: 'strict tool schemas are not translated yet',
      defer_loading: 'tool search runs on Anthropic’s platform',
      allowed_callers: 'programmatic tool calling runs on Anthropic’s platform',
      input_examples: 'tool input examples are not translated yet',
      eager_input_streaming: 'tool input is always streamed as the model writes it',
    },
  );
  const name = stringAt(tool.name, `${path}.name`);
  if (!TOOL_NAME.test(name)) {
    throw invalid(
      `${path}.name`,
      M.wrongType(`${path}.name`, 'a name of 1-128 letters, digits, _ or -'),
    );
  }
  const result: ToolParam = { name };
  const description = optionalString(tool.description, `${path}.description`);
  if (description !== undefined) result.description = description;
  if (tool.input_schema !== undefined) {
    const schema = objectAt(tool.input_schema, `${path}.input_schema`);
    if (schema.type !== 'object') {
      throw invalid(
        `${path}.input_schema.type`,
        M.wrongType(`${path}.input_schema.type`, "'object'"),
        schema.type === undefined,
      );
    }
    result.input_schema = schema;
  }
  return result;
}

function readToolChoice(value: unknown, tools: ToolParam[] | undefined): ToolChoiceParam {
  const choice = objectAt(value, 'tool_choice');
  const type = oneOf(choice.type, 'tool_choice.type', ['auto', 'any', 'tool', 'none'] as const);
  if (type === 'none') {
    onlyKnownKeys(choice, 'tool_choice', new Set(['type']));
    return { type };
  }
  if (tools === undefined) throw invalid('tool_choice', M.toolChoiceWithoutTools());
  const known = new Set([
    'type',
    'disable_parallel_tool_use',
    ...(type === 'tool' ? ['name'] : []),
  ]);
  onlyKnownKeys(choice, 'tool_choice', known);
  const noParallel = optionalBoolean(
    choice.disable_parallel_tool_use,
    'tool_choice.disable_parallel_tool_use',
  );
  const parallel = noParallel === undefined ? {} : { disable_parallel_tool_use: noParallel };
  if (type !== 'tool') return { type, ...parallel };
  const name = stringAt(choice.name, 'tool_choice.name');
  if (!tools.some((tool) => tool.name === name)) {
    throw invalid('tool_choice.name', M.unknownToolChoice(name));
  }
  return { type, name, ...parallel };
}

function readThinking(value: unknown): ThinkingParam {
  const thinking = objectAt(value, 'thinking');
  const type = oneOf(thinking.type, 'thinking.type', ['enabled', 'adaptive', 'disabled'] as const);
  if (type === 'disabled') {
    onlyKnownKeys(thinking, 'thinking', new Set(['type']));
    return { type };
  }
  onlyKnownKeys(
    thinking,
    'thinking',
    new Set(['type', 'display', ...(type === 'enabled' ? ['budget_tokens'] : [])]),
  );
  const display =
    thinking.display === undefined
      ? undefined
      : thinking.display === null
        ? null
        : oneOf(thinking.display, 'thinking.display', ['summarized', 'omitted'] as const);
  const shown: { display?: ThinkingDisplay } = display === undefined ? {} : { display };
  if (type === 'adaptive') return { type, ...shown };
  const budget = numberAt(thinking.budget_tokens, 'thinking.budget_tokens', { integer: true });
  if (budget < MIN_THINKING_BUDGET) {
    throw invalid('thinking.budget_tokens', M.budgetTooSmall(MIN_THINKING_BUDGET));
  }
  return { type, budget_tokens: budget, ...shown };
}

function readMetadata(value: unknown): { user_id?: string | null } {
  const metadata = objectAt(value, 'metadata');
  onlyKnownKeys(metadata, 'metadata', new Set(['user_id']));
  if (metadata.user_id === undefined) return {};
  if (metadata.user_id === null) return { user_id: null };
  return { user_id: stringAt(metadata.user_id, 'metadata.user_id') };
}
