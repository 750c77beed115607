/**
 * The stream commit point (ADR 0006): the first chunk that carries something the caller would
 * see twice if the stream were retried elsewhere — content, reasoning, a tool call, a refusal,
 * a finish reason or the usage chunk. vLLM's first chunk (`{"role":"assistant","content":""}`)
 * carries none of these, so it is held back with any other preamble until the commit point,
 * and a failure before it can still go to another replica unseen.
 */
export function isCommitChunk(chunk: { choices: unknown[] }): boolean {
  const choices = chunk.choices;
  // The usage chunk (`choices: []`) only comes after the answer.
  if (choices.length === 0) return true;
  for (const raw of choices) {
    const choice = raw as CommitChoice;
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
    // Legacy completions.
    if (typeof choice.text === 'string' && choice.text !== '') return true;
    const delta = choice.delta;
    if (delta === undefined || delta === null) continue;
    if (nonEmpty(delta.content) || nonEmpty(delta.reasoning_content) || nonEmpty(delta.reasoning)) {
      return true;
    }
    if (nonEmpty(delta.refusal)) return true;
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return true;
    if (delta.function_call !== undefined && delta.function_call !== null) return true;
  }
  return false;
}

interface CommitChoice {
  finish_reason?: unknown;
  text?: unknown;
  delta?: {
    content?: unknown;
    reasoning_content?: unknown;
    reasoning?: unknown;
    refusal?: unknown;
    tool_calls?: unknown;
    function_call?: unknown;
  } | null;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}
