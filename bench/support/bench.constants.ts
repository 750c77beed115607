/** What every scenario sends, so the direct and the gateway paths see the same request. */

export const BENCH_API_KEY = 'tg-bench-key-0123456789abcdef';

export const CHAT_PATH = '/v1/chat/completions';

/** Sent on both paths; the simulator ignores the key, the gateway checks it. */
export const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  authorization: `Bearer ${BENCH_API_KEY}`,
};

/** Where a scenario sends its requests, and the exact body it sends there. */
export interface BenchTarget {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  body: string;
}

/** The simulator's model ids; `instant` through the gateway maps to SIM_INSTANT_MODEL. */
export const SIM_INSTANT_MODEL = 'sim-instant';
export const SIM_THINKING_MODEL = 'sim-thinking';
export const GATEWAY_MODEL = 'instant';

/** Simulator behaviour of scenarios (a)-(c): a 16-token answer at once. */
export const FAST_ANSWER = { tokens: 16, tokenIntervalMs: 0, ttftMs: 0, latencyMs: 0 } as const;

/** Simulator behaviour of scenario (d): a stream that opens at once and never ends in practice. */
export const ENDLESS_STREAM = {
  tokens: 100_000,
  tokenIntervalMs: 1000,
  ttftMs: 0,
  latencyMs: 0,
} as const;

const MESSAGES = [
  { role: 'system', content: 'You are a concise assistant. Answer in plain text.' },
  {
    role: 'user',
    content: 'In two sentences, why do load balancers keep upstream connections alive?',
  },
];

/**
 * The chat request body. Only `model` differs between the paths: the simulator serves its own
 * model id, the gateway gets the public `instant` (a forced tier: no classifier runs).
 */
export function chatBody(
  model: string,
  stream: boolean,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    model,
    messages: MESSAGES,
    max_tokens: 64,
    temperature: 0,
    ...(stream ? { stream: true } : {}),
    ...extra,
  });
}
