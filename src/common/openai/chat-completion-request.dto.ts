import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import type {
  ChatRole,
  ContentPart,
  ReasoningEffort,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from './chat.types';
import { CHAT_ROLES, REASONING_EFFORTS } from './chat.types';

const ROLES = [...CHAT_ROLES];
const EFFORTS = [...REASONING_EFFORTS];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `content`: a string, an array of content parts each with a string `type`, or null. */
function IsMessageContent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMessageContent',
      validator: {
        validate: (value: unknown) =>
          value === null ||
          typeof value === 'string' ||
          (Array.isArray(value) &&
            value.every((part) => isPlainObject(part) && typeof part.type === 'string')),
        defaultMessage: () =>
          '$property must be a string, an array of content parts with a string `type`, or null',
      },
    },
    options,
  );
}

function IsToolCalls(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolCalls',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (call) =>
              isPlainObject(call) &&
              typeof call.id === 'string' &&
              isPlainObject(call.function) &&
              typeof call.function.name === 'string' &&
              typeof call.function.arguments === 'string',
          ),
        defaultMessage: () =>
          '$property must be an array of tool calls, each with a string `id`, `function.name` and `function.arguments`',
      },
    },
    options,
  );
}

function IsToolDefinitions(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolDefinitions',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (tool) =>
              isPlainObject(tool) &&
              tool.type === 'function' &&
              isPlainObject(tool.function) &&
              typeof tool.function.name === 'string' &&
              tool.function.name.length > 0 &&
              (tool.function.parameters === undefined || isPlainObject(tool.function.parameters)),
          ),
        defaultMessage: () =>
          "$property must be an array of tools, each { type: 'function', function: { name, description?, parameters? } }",
      },
    },
    options,
  );
}

function IsToolChoice(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolChoice',
      validator: {
        validate: (value: unknown) =>
          value === 'none' ||
          value === 'auto' ||
          value === 'required' ||
          (isPlainObject(value) &&
            value.type === 'function' &&
            isPlainObject(value.function) &&
            typeof value.function.name === 'string'),
        defaultMessage: () =>
          "$property must be 'none', 'auto', 'required' or { type: 'function', function: { name } }",
      },
    },
    options,
  );
}

function IsStop(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStop',
      validator: {
        validate: (value: unknown) =>
          value === null ||
          typeof value === 'string' ||
          (Array.isArray(value) && value.length <= 4 && value.every((s) => typeof s === 'string')),
        defaultMessage: () => '$property must be a string, an array of up to 4 strings, or null',
      },
    },
    options,
  );
}

export class ChatMessageDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: ChatRole;

  @ApiPropertyOptional({ description: 'A string, or an array of content parts', nullable: true })
  @ValidateIf(
    (m: ChatMessageDto) =>
      m.content !== undefined || (m.role !== 'assistant' && m.role !== 'function'),
  )
  @IsMessageContent()
  content?: string | ContentPart[] | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsToolCalls()
  tool_calls?: ToolCall[];

  @ApiPropertyOptional()
  @ValidateIf((m: ChatMessageDto) => m.role === 'tool' || m.tool_call_id !== undefined)
  @IsString()
  tool_call_id?: string;

  [extra: string]: unknown;
}

export class StreamOptionsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;

  [extra: string]: unknown;
}

/**
 * The body of `POST /v1/chat/completions`, validated once at the edge. Unknown fields are kept
 * (class-transformer copies them) and reach the upstream unchanged.
 */
export class ChatCompletionRequestDto {
  @ApiPropertyOptional({
    description: '`instant`, `thinking`, `auto`, an alias or a pool model id',
    example: 'auto',
  })
  @IsOptional()
  @IsString()
  model?: string;

  @ApiProperty({ type: [ChatMessageDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } })
  @IsOptional()
  @IsToolDefinitions()
  tools?: ToolDefinition[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'object' }] })
  @IsOptional()
  @IsToolChoice()
  tool_choice?: ToolChoice;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  response_format?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number | null;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  top_p?: number | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 128 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number | null;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  })
  @IsOptional()
  @IsStop()
  stop?: string | string[] | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  seed?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  logprobs?: boolean | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 20 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number | null;

  @ApiPropertyOptional({ minimum: -2, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-2)
  @Max(2)
  presence_penalty?: number | null;

  @ApiPropertyOptional({ minimum: -2, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-2)
  @Max(2)
  frequency_penalty?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  user?: string;

  @ApiPropertyOptional({ enum: EFFORTS })
  @IsOptional()
  @IsIn(EFFORTS)
  reasoning_effort?: ReasoningEffort | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  [extra: string]: unknown;
}

/** `POST /v1/completions` (legacy): routed like chat, the rest passed through. */
export class CompletionRequestDto {
  @ApiPropertyOptional({ example: 'auto' })
  @IsOptional()
  @IsString()
  model?: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array' }] })
  @ValidateBy({
    name: 'isPrompt',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' ||
        (Array.isArray(value) &&
          value.length > 0 &&
          (value.every((v) => typeof v === 'string') ||
            value.every((v) => typeof v === 'number' || Array.isArray(v)))),
      defaultMessage: () =>
        '$property must be a string, an array of strings, or an array of token arrays',
    },
  })
  prompt!: unknown;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ type: StreamOptionsDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number | null;

  [extra: string]: unknown;
}

export class EmbeddingRequestDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  model?: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array' }] })
  @ValidateBy({
    name: 'isEmbeddingInput',
    validator: {
      validate: isEmbeddingInput,
      defaultMessage: () =>
        '$property must be a non-empty string, or an array of 1 to 2048 items that are all ' +
        'strings, all token ids (integers), or all arrays of token ids',
    },
  })
  input!: unknown;

  [extra: string]: unknown;
}

/** The most inputs one embeddings request may carry (OpenAI's limit). */
const MAX_EMBEDDING_INPUTS = 2048;

/**
 * OpenAI's `input`: a string, or a list of strings, of token ids, or of token-id lists; anything
 * else (objects, mixed lists) is refused here rather than relayed to the upstream.
 */
function isEmbeddingInput(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_EMBEDDING_INPUTS) {
    return false;
  }
  return (
    value.every((item) => typeof item === 'string') ||
    value.every(isTokenId) ||
    value.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))
  );
}

function isTokenId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}
