import Ajv, { type ErrorObject } from 'ajv';
import { ErrorCode, GatewayException } from '../common/errors';
import { ResponsesMessages } from './responses.messages';
import type { ResponsesRequest } from './responses.types';

const text = { type: 'string' } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

const contentParts = {
  type: 'array',
  items: {
    type: 'object',
    required: ['type'],
    properties: {
      type: text,
      text,
      refusal: text,
      image_url: nullable(text),
      file_id: nullable(text),
      detail: { enum: ['auto', 'low', 'high'] },
    },
  },
} as const;

/**
 * The JSON Schema of a `POST /v1/responses` body: the types of every field the gateway reads.
 * Other fields pass through to the upstream's chat request (see docs/responses-api.md);
 * fields of the Responses API the gateway cannot honour are refused separately
 * ({@link UNSUPPORTED_FIELDS}), with the reason.
 */
export const RESPONSES_REQUEST_SCHEMA = {
  type: 'object',
  properties: {
    model: text,
    input: {
      anyOf: [
        text,
        {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              type: text,
              role: { enum: ['user', 'assistant', 'system', 'developer'] },
              content: { anyOf: [text, contentParts] },
              call_id: text,
              name: text,
              arguments: text,
              output: { anyOf: [text, contentParts] },
            },
          },
        },
      ],
    },
    instructions: nullable(text),
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: {
          type: text,
          name: text,
          description: nullable(text),
          parameters: nullable({ type: 'object' }),
          strict: nullable({ type: 'boolean' }),
        },
      },
    },
    tool_choice: {
      anyOf: [
        { enum: ['none', 'auto', 'required'] },
        { type: 'object', required: ['type'], properties: { type: text, name: text } },
      ],
    },
    parallel_tool_calls: nullable({ type: 'boolean' }),
    max_output_tokens: nullable({ type: 'integer', minimum: 1 }),
    temperature: nullable({ type: 'number', minimum: 0, maximum: 2 }),
    top_p: nullable({ type: 'number', minimum: 0, maximum: 1 }),
    reasoning: nullable({
      type: 'object',
      properties: {
        effort: nullable({ enum: ['none', 'minimal', 'low', 'medium', 'high'] }),
        summary: nullable({ enum: ['auto', 'concise', 'detailed'] }),
      },
    }),
    text: {
      type: 'object',
      properties: {
        format: {
          type: 'object',
          required: ['type'],
          properties: {
            type: { enum: ['text', 'json_object', 'json_schema'] },
            name: text,
            schema: { type: 'object' },
            description: text,
            strict: nullable({ type: 'boolean' }),
          },
        },
        verbosity: nullable({ enum: ['medium'] }),
      },
    },
    metadata: nullable({
      type: 'object',
      maxProperties: 16,
      additionalProperties: { type: 'string', maxLength: 512 },
      propertyNames: { maxLength: 64 },
    }),
    store: nullable({ type: 'boolean' }),
    stream: nullable({ type: 'boolean' }),
    previous_response_id: nullable(text),
    user: text,
    truncation: nullable({ enum: ['disabled'] }),
    background: nullable({ enum: [false] }),
    include: nullable({ type: 'array', maxItems: 0 }),
    service_tier: nullable({ enum: ['auto', 'default'] }),
    stream_options: nullable({ type: 'object' }),
  },
} as const;

/**
 * Responses API fields the gateway refuses, and why: never dropped silently. (`truncation`,
 * `background`, `include`, `text.verbosity` and `service_tier` are refused by the schema for
 * any value other than the one the gateway gives.)
 */
export const UNSUPPORTED_FIELDS: Readonly<Record<string, string>> = {
  conversation: 'conversations are an OpenAI platform object; continue with previous_response_id',
  prompt: 'prompt templates live on the OpenAI platform',
  max_tool_calls: 'the gateway bounds tool calls with tools.max_calls_per_request',
  top_logprobs: 'log probabilities are not translated',
  messages: "this is the Chat Completions field; the Responses API takes 'input'",
};

/** Schema keywords whose failure is an unsupported value rather than a malformed one. */
const UNSUPPORTED_VALUES: Readonly<Record<string, string>> = {
  '/truncation': "only 'disabled' (the gateway never drops input on its own)",
  '/background': 'background responses need a job queue the gateway does not run',
  '/include': 'no extra output (encrypted reasoning, logprobs, search results) is produced',
  '/service_tier': "only 'auto' or 'default'; route with the model name instead",
  '/text/verbosity': 'verbosity is not translated to chat models',
  '/reasoning/summary': "only 'auto', 'concise' or 'detailed'",
};

const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(RESPONSES_REQUEST_SCHEMA);

/**
 * `body` as a typed Responses request.
 *
 * @throws GatewayException 400 `invalid_value` naming the first bad field in `param`, or the
 *   unsupported field and why.
 */
export function validateResponsesRequest(body: unknown): ResponsesRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayException(
      ErrorCode.InvalidValue,
      ResponsesMessages.invalidField('body', 'expected a JSON object'),
    );
  }
  for (const field of Object.keys(UNSUPPORTED_FIELDS)) {
    if ((body as Record<string, unknown>)[field] !== undefined) {
      throw new GatewayException(
        ErrorCode.InvalidValue,
        ResponsesMessages.unsupportedField(field, UNSUPPORTED_FIELDS[field]),
        { param: field },
      );
    }
  }
  if (!check(body)) throw schemaFailure(deepest(check.errors ?? []));
  return body as ResponsesRequest;
}

/**
 * The most specific error: with `anyOf` (a string or a list of items), the first error is the
 * first branch's, at the top; the deepest one names the field that is actually wrong.
 */
function deepest(errors: ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const error of errors) {
    if (error.keyword === 'anyOf') continue;
    if (best === undefined || error.instancePath.length > best.instancePath.length) best = error;
  }
  return best ?? errors[0];
}

function schemaFailure(error: ErrorObject | undefined): GatewayException {
  const path = error?.instancePath ?? '';
  const param = paramOf(path);
  const unsupported = Object.entries(UNSUPPORTED_VALUES).find(([prefix]) => path === prefix);
  if (unsupported) {
    return new GatewayException(
      ErrorCode.InvalidValue,
      ResponsesMessages.unsupportedField(param, unsupported[1]),
      { param },
    );
  }
  return new GatewayException(
    ErrorCode.InvalidValue,
    ResponsesMessages.invalidField(param || 'body', error?.message ?? 'invalid'),
    { param: param || null },
  );
}

/** `/input/0/content` → `input[0].content`. */
export function paramOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (param, segment) =>
        /^\d+$/.test(segment) ? `${param}[${segment}]` : param ? `${param}.${segment}` : segment,
      '',
    );
}
