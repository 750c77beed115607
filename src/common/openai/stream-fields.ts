/** What a chunk says for itself: never copied from one chunk onto another. */
const OWN_FIELDS = new Set(['choices', 'usage']);

/**
 * Copies onto `to` every top-level field of `from` that `to` lacks, except `choices` and
 * `usage`, and says whether it copied any.
 *
 * Why: the gateway always asks the upstream for usage and drops the usage-only chunk
 * (`choices: []`) when the caller did not ask for it (docs/api.md §7). A server may put more than
 * usage on that chunk: llama.cpp puts its `timings` on the stream's *last* chunk, which is the
 * usage chunk whenever usage was asked for. Carried onto the finish chunk, such fields reach
 * the caller as they would have without the gateway.
 *
 * @example
 * carryStreamFields({ choices: [], usage: {…}, timings: {…} }, finishChunk); // true
 */
export function carryStreamFields(from: object, to: object): boolean {
  const source = from as Record<string, unknown>;
  const target = to as Record<string, unknown>;
  let copied = false;
  for (const key of Object.keys(source)) {
    if (OWN_FIELDS.has(key) || Object.prototype.hasOwnProperty.call(target, key)) continue;
    target[key] = source[key];
    copied = true;
  }
  return copied;
}

/** Whether a parsed chunk closes a choice (`finish_reason` set on any of its choices). */
export function finishesChoice(chunk: { choices: unknown[] }): boolean {
  for (const choice of chunk.choices) {
    const reason = (choice as { finish_reason?: unknown } | null)?.finish_reason;
    if (reason !== null && reason !== undefined) return true;
  }
  return false;
}
