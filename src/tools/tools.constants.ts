/** OpenAI's rule for function names; the registry refuses anything else at start-up. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Longest tool result handed to the model, in characters; the rest is cut with a note. A result
 * travels back upstream in every later round, so an unbounded one would eat the context window.
 */
export const MAX_TOOL_RESULT_CHARS = 64 * 1024;

/** The response header that reports the executed tool rounds on non-streaming answers. */
export const TOOL_ROUNDS_HEADER = 'x-gateway-tool-rounds';

/** The route reason of a tool loop moved to the thinking tier (ADR 0005). */
export const ESCALATION_REASON = 'escalated:tools';

/** Injection token of the {@link SandboxSlots} pool `run_javascript` and `calculator` share. */
export const SANDBOX_SLOTS = 'SANDBOX_SLOTS';

/** Injection token of the memory tool's store (in memory, or Redis when `redis.url` is set). */
export const MEMORY_STORE = 'MEMORY_STORE';
