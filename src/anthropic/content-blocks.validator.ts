import { AnthropicMessages as M } from './anthropic.messages';
import type {
  AssistantBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  UserBlockParam,
} from './anthropic.types';
import {
  arrayAt,
  invalid,
  isObject,
  objectAt,
  oneOf,
  onlyKnownKeys,
  optionalBoolean,
  stringAt,
  type JsonObject,
} from './json-reader';

/**
 * Anthropic's prompt-caching hint. Accepted on every block and tool and has no effect: the
 * upstreams (vLLM, llama.cpp) cache prompt prefixes by themselves (docs/messages-api.md).
 */
const CACHE_CONTROL = 'cache_control';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Blocks the Messages API has that this gateway refuses, with the reason the caller reads. */
const UNSUPPORTED_BLOCKS: Readonly<Record<string, string>> = {
  document:
    'documents (PDF, plain-text sources) have no equivalent in the chat API upstreams serve',
  search_result: 'search-result citations have no equivalent in the chat API upstreams serve',
  redacted_thinking: 'redacted thinking is Anthropic-encrypted reasoning no other model can read',
  server_tool_use: "Anthropic-hosted server tools run on Anthropic's platform",
  web_search_tool_result: "Anthropic-hosted server tools run on Anthropic's platform",
  web_fetch_tool_result: "Anthropic-hosted server tools run on Anthropic's platform",
  code_execution_tool_result: "Anthropic-hosted server tools run on Anthropic's platform",
  bash_code_execution_tool_result: "Anthropic-hosted server tools run on Anthropic's platform",
  text_editor_code_execution_tool_result:
    "Anthropic-hosted server tools run on Anthropic's platform",
  tool_search_tool_result: "Anthropic-hosted server tools run on Anthropic's platform",
  mcp_tool_use: "the MCP connector runs on Anthropic's platform",
  mcp_tool_result: "the MCP connector runs on Anthropic's platform",
  container_upload: "containers run on Anthropic's platform",
};

const ROLES = ['user', 'assistant', 'system'] as const;

/** One message of `messages`, validated. */
export function readMessage(value: unknown, path: string): MessageParam {
  const message = objectAt(value, path);
  onlyKnownKeys(message, path, new Set(['role', 'content']));
  const role = oneOf(message.role, `${path}.role`, ROLES);
  const content = message.content;
  const at = `${path}.content`;
  if (typeof content === 'string') return { role, content } as MessageParam;
  const blocks = arrayAt(content, at);
  switch (role) {
    case 'user':
      return { role, content: blocks.map((b, i) => readUserBlock(b, `${at}[${i}]`)) };
    case 'assistant':
      return { role, content: blocks.map((b, i) => readAssistantBlock(b, `${at}[${i}]`)) };
    case 'system':
      return { role, content: blocks.map((b, i) => readTextOnly(b, `${at}[${i}]`, role)) };
  }
}

/** `system`: a string or text blocks. */
export function readSystem(value: unknown, path: string): string | TextBlockParam[] {
  if (typeof value === 'string') return value;
  return arrayAt(value, path).map((b, i) => readTextOnly(b, `${path}[${i}]`, 'system'));
}

function blockType(value: unknown, path: string): { block: JsonObject; type: string } {
  const block = objectAt(value, path);
  return { block, type: stringAt(block.type, `${path}.type`) };
}

function refuseOther(type: string, path: string, role: string): never {
  const why = UNSUPPORTED_BLOCKS[type];
  if (why !== undefined) throw invalid(`${path}.type`, M.unsupportedBlock(path, type, why));
  if (KNOWN_BLOCKS.has(type)) throw invalid(`${path}.type`, M.blockNotAllowed(path, type, role));
  throw invalid(`${path}.type`, M.unknownBlock(path, type));
}

const KNOWN_BLOCKS: ReadonlySet<string> = new Set([
  'text',
  'image',
  'tool_use',
  'tool_result',
  'thinking',
]);

function readUserBlock(value: unknown, path: string): UserBlockParam {
  const { block, type } = blockType(value, path);
  switch (type) {
    case 'text':
      return readText(block, path);
    case 'image':
      return readImage(block, path);
    case 'tool_result':
      return readToolResult(block, path);
    default:
      return refuseOther(type, path, 'user');
  }
}

function readAssistantBlock(value: unknown, path: string): AssistantBlockParam {
  const { block, type } = blockType(value, path);
  switch (type) {
    case 'text':
      return readText(block, path);
    case 'tool_use': {
      onlyKnownKeys(block, path, new Set(['type', 'id', 'name', 'input', CACHE_CONTROL]));
      const input = block.input;
      if (!isObject(input)) {
        throw invalid(
          `${path}.input`,
          M.wrongType(`${path}.input`, 'an object'),
          input === undefined,
        );
      }
      return {
        type,
        id: stringAt(block.id, `${path}.id`),
        name: stringAt(block.name, `${path}.name`),
        input,
      };
    }
    case 'thinking':
      // The signature is only carried back: an open model's reasoning has none to check.
      onlyKnownKeys(block, path, new Set(['type', 'thinking', 'signature']));
      stringAt(block.signature ?? '', `${path}.signature`);
      return { type, thinking: stringAt(block.thinking, `${path}.thinking`) };
    default:
      return refuseOther(type, path, 'assistant');
  }
}

function readTextOnly(value: unknown, path: string, role: string): TextBlockParam {
  const { block, type } = blockType(value, path);
  return type === 'text' ? readText(block, path) : refuseOther(type, path, role);
}

function readText(block: JsonObject, path: string): TextBlockParam {
  onlyKnownKeys(block, path, new Set(['type', 'text', CACHE_CONTROL, 'citations']));
  if (block.citations !== undefined && block.citations !== null) {
    throw invalid(
      `${path}.citations`,
      M.unsupportedField(`${path}.citations`, 'citations need document sources'),
    );
  }
  return { type: 'text', text: stringAt(block.text, `${path}.text`) };
}

function readImage(block: JsonObject, path: string): ImageBlockParam {
  onlyKnownKeys(block, path, new Set(['type', 'source', CACHE_CONTROL]), {
    transformations: 'the gateway sends images to the model as they are',
  });
  const at = `${path}.source`;
  const source = objectAt(block.source, at);
  const kind = stringAt(source.type, `${at}.type`);
  if (kind === 'base64') {
    onlyKnownKeys(source, at, new Set(['type', 'media_type', 'data']));
    return {
      type: 'image',
      source: {
        type: 'base64',
        media_type: oneOf(source.media_type, `${at}.media_type`, IMAGE_TYPES),
        data: nonEmpty(source.data, `${at}.data`),
      },
    };
  }
  if (kind === 'url') {
    onlyKnownKeys(source, at, new Set(['type', 'url']));
    const url = nonEmpty(source.url, `${at}.url`);
    if (!/^https?:\/\//i.test(url)) {
      throw invalid(`${at}.url`, M.wrongType(`${at}.url`, 'an http or https URL'));
    }
    return { type: 'image', source: { type: 'url', url } };
  }
  if (kind === 'file') {
    throw invalid(
      `${at}.type`,
      M.unsupportedField(`${at}.type`, "the Files API stores files on Anthropic's platform"),
    );
  }
  throw invalid(`${at}.type`, M.wrongType(`${at}.type`, "'base64' or 'url'"));
}

function readToolResult(block: JsonObject, path: string): ToolResultBlockParam {
  onlyKnownKeys(
    block,
    path,
    new Set(['type', 'tool_use_id', 'content', 'is_error', CACHE_CONTROL]),
  );
  const result: ToolResultBlockParam = {
    type: 'tool_result',
    tool_use_id: stringAt(block.tool_use_id, `${path}.tool_use_id`),
  };
  const isError = optionalBoolean(block.is_error, `${path}.is_error`);
  if (isError !== undefined) result.is_error = isError;
  const content = block.content;
  const at = `${path}.content`;
  if (typeof content === 'string') result.content = content;
  else if (content !== undefined) {
    result.content = arrayAt(content, at).map((item, i) => {
      const where = `${at}[${i}]`;
      const { block: part, type } = blockType(item, where);
      if (type === 'text') return readText(part, where);
      if (type === 'image') {
        throw invalid(
          `${where}.type`,
          M.unsupportedBlock(
            where,
            type,
            'a tool result reaches the model as a chat tool message, which carries text only',
          ),
        );
      }
      return refuseOther(type, where, 'user');
    });
  }
  return result;
}

function nonEmpty(value: unknown, path: string): string {
  const text = stringAt(value, path);
  if (text.length === 0) throw invalid(path, M.wrongType(path, 'a non-empty string'));
  return text;
}
