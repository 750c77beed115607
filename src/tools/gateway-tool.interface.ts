/**
 * The contract of a server-side tool (docs/api.md §8). A tool is a singleton Nest provider marked with
 * {@link GatewayTool} (the decorator) that implements this interface; the registry finds it at
 * start-up, compiles its parameters schema once, and the tool loop calls `execute` with
 * arguments that already passed that schema.
 */

/** What a tool knows of the request that called it. */
export interface ToolContext {
  /**
   * Aborted when the caller disconnects or the call's time limit passes. Long-running tools
   * must honour it (pass it to `fetch`, check `signal.aborted` between steps): after it fires,
   * the result is discarded anyway.
   */
  signal: AbortSignal;
  /** The name of the calling API key; undefined when authentication is disabled. */
  keyName?: string;
  /** The request's `x-request-id`, for logs. */
  requestId: string;
}

/** A JSON value; a string is given to the model as is, anything else as its JSON text. */
export type ToolResult =
  string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** What the decorator declares: the function definition the model sees. */
export interface GatewayToolOptions {
  /** The function name the model calls: 1–64 letters, digits, `_` or `-`, unique in the gateway. */
  name: string;
  /** What the tool does and when to use it, written for the model. */
  description: string;
  /**
   * JSON Schema (draft-07) of the arguments object, `type: 'object'` at the top. Compiled once
   * at start-up; arguments that do not match never reach `execute` (the model gets the
   * validation errors instead and can correct its call).
   */
  parameters: Record<string, unknown>;
  /** This tool's time limit per call in ms; `tools.timeout_ms` (10 s) when unset. */
  timeoutMs?: number;
}

/**
 * A server-side tool.
 *
 * @example
 * ```ts
 * @GatewayTool({
 *   name: 'word_count',
 *   description: 'Counts the words of a text.',
 *   parameters: {
 *     type: 'object',
 *     properties: { text: { type: 'string' } },
 *     required: ['text'],
 *     additionalProperties: false,
 *   },
 * })
 * export class WordCountTool implements GatewayTool<{ text: string }> {
 *   execute({ text }: { text: string }): ToolResult {
 *     return { words: text.split(/\s+/).filter(Boolean).length };
 *   }
 * }
 * ```
 */
export interface GatewayTool<TArgs = Record<string, unknown>> {
  /**
   * Runs one call. Throwing (or rejecting) gives the model `{"error": "<message>"}` as the
   * result; the request goes on. Write error messages for the model: say what to change.
   */
  execute(args: TArgs, context: ToolContext): ToolResult | Promise<ToolResult>;
  /**
   * Optional: `false` keeps the tool out of the registry (switched off in configuration, or
   * missing what it needs); `'listed-keys'` registers it for the keys whose `allowed_tools`
   * name it only (a tool that runs code or keeps state, switched on per key). Asked once, at
   * start-up.
   */
  isEnabled?(): ToolAvailability;
}

/** Who a tool is registered for: everyone, nobody, or the keys that list it in `allowed_tools`. */
export type ToolAvailability = boolean | 'listed-keys';
