/**
 * Wire-format helpers of the simulator: vLLM-shaped bodies, chunk templates, token accounting.
 *
 * Everything here is pure and cheap; the per-token hot path only concatenates precomputed strings.
 */
import { randomUUID } from 'node:crypto';

/** `chatcmpl-<32 hex>`-style ids, like vLLM's `random_uuid()`. */
export function hexId(): string {
  const u = randomUUID();
  return (
    u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24) // no dashes
  );
}

export function toolCallId(): string {
  return 'call_' + hexId().slice(0, 24);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  408: 'RequestTimeoutError',
  409: 'ConflictError',
  413: 'RequestEntityTooLargeError',
  422: 'UnprocessableEntityError',
  429: 'TooManyRequestsError',
  500: 'InternalServerError',
  501: 'NotImplementedError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

export function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequestError');
}

/** vLLM's error envelope (`ErrorResponse` since v0.9): `{"error":{message,type,param,code}}`. */
export function errorBody(status: number, message: string, param: string | null = null): string {
  return JSON.stringify({ error: { message, type: errorType(status), param, code: status } });
}

// ---------------------------------------------------------------------------------------------
// Token accounting and text pieces
// ---------------------------------------------------------------------------------------------

/** ≈ 4 characters per token, at least 1. */
export function charsToTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let s = '';
    for (const part of content) {
      if (part && typeof part === 'object') {
        const text = (part as { text?: unknown }).text;
        if (typeof text === 'string') s += text;
      } else if (typeof part === 'string') {
        s += part;
      }
    }
    return s;
  }
  return '';
}

export function chatPromptTokens(messages: unknown[]): number {
  let chars = 0;
  for (const m of messages) {
    if (m && typeof m === 'object')
      chars += contentText((m as { content?: unknown }).content).length;
  }
  return charsToTokens(chars);
}

export function completionPromptTokens(prompt: unknown): number {
  if (typeof prompt === 'string') return charsToTokens(prompt.length);
  if (Array.isArray(prompt)) {
    if (prompt.every((p) => typeof p === 'number')) return Math.max(1, prompt.length);
    let chars = 0;
    for (const p of prompt) {
      if (typeof p === 'string') chars += p.length;
      else if (Array.isArray(p)) chars += p.length * 4;
    }
    return charsToTokens(chars);
  }
  return 1;
}

/**
 * Split text into word-ish pieces, one per streamed chunk: leading whitespace stays attached to
 * the word that follows it (`"Hello world"` → `["Hello", " world"]`). `pieces.join('') === text`.
 */
export function splitPieces(text: string): string[] {
  if (text.length === 0) return [];
  const pieces = text.match(/\s*\S+/g);
  if (!pieces) return [text];
  const consumed = pieces.reduce((n, p) => n + p.length, 0);
  if (consumed < text.length) pieces[pieces.length - 1] += text.slice(consumed);
  return pieces;
}

const CONTENT_WORDS = (
  'Hello from the Tiergate simulator. This answer is made of simulated tokens, one word per ' +
  'streamed chunk, so that clients and gateways can be tested quickly and deterministically.'
).split(' ');
const REASONING_WORDS = (
  'Let me think about this step by step. First I consider the question, then I weigh ' +
  'the options, and finally I decide on an answer.'
).split(' ');

function makePieces(words: string[], n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const w = words[i % words.length];
    out[i] = i === 0 ? w : ' ' + w;
  }
  return out;
}

const pieceCache = new Map<string, string[]>();
/** Default answer / reasoning pieces, cached per length (treat the result as read-only). */
export function defaultPieces(kind: 'content' | 'reasoning', n: number): string[] {
  const key = kind + n;
  let p = pieceCache.get(key);
  if (!p) {
    p = makePieces(kind === 'content' ? CONTENT_WORDS : REASONING_WORDS, n);
    if (pieceCache.size < 256) pieceCache.set(key, p);
  }
  return p;
}

const jsonCache = new Map<string, string>();
/** `JSON.stringify(s)` with a small cache for the recurring vocabulary. */
export function jsonStr(s: string): string {
  let j = jsonCache.get(s);
  if (j === undefined) {
    j = JSON.stringify(s);
    if (s.length < 32 && jsonCache.size < 4096) jsonCache.set(s, j);
  }
  return j;
}

// ---------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic unit vector derived from a hash of the input. */
export function embed(input: string, dims: number): number[] {
  let state = fnv1a(input) || 1;
  const v = new Array<number>(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const x = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dims; i++) v[i] = Math.fround(v[i] / norm);
  return v;
}

export function floatsToBase64(v: number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}
