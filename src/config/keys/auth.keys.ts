import {
  choiceList,
  integer,
  list,
  nameList,
  normalizedText,
  oneOf,
  section,
  text,
} from '../config-key.builders';
import { ACCESS_TIERS, AUTH_MODES, CONFIG_LIMITS, KEY_ROLES } from '../config.constants';

const SHA256_KEY = /^sha256:[0-9a-fA-F]{64}$/;

/** Hex digests compare case-insensitively; they are handed on in lower case. */
export function normalizeClientKey(key: string): string {
  return SHA256_KEY.test(key) ? key.toLowerCase() : key;
}

/** Whether `key` is a well-formed `sha256:<64 hex>` digest. */
export const isSha256Key = (key: string): boolean => SHA256_KEY.test(key);

/**
 * The keys of per-key rate limits over a sliding minute; an absent value is unlimited. `docs`
 * words them for where they are used (a key's own limits or `limits.defaults`).
 */
export const rateLimitKeys = (
  docs: Record<'rpm' | 'tpm' | 'concurrency', { doc?: string; values: string; env?: string }>,
) => ({
  /** Requests per minute. */
  rpm: integer(1, CONFIG_LIMITS.maxRateLimit, {
    optional: true,
    defaultDoc: 'unlimited',
    ...docs.rpm,
  }),
  /** Tokens (prompt + completion, as the upstream reports them) per minute. */
  tpm: integer(1, CONFIG_LIMITS.maxRateLimit, {
    optional: true,
    defaultDoc: 'unlimited',
    ...docs.tpm,
  }),
  /** Requests in flight at once. */
  concurrency: integer(1, CONFIG_LIMITS.maxConcurrency, {
    optional: true,
    defaultDoc: 'unlimited',
    ...docs.concurrency,
  }),
});

const CLIENT_KEY = section(
  {
    name: text({ required: true, doc: 'labels the key in logs and metrics (never the secret)' }),
    /** The secret as given: plain text, or `sha256:<64 hex>` (the hex digits in lower case). */
    key: normalizedText({
      required: true,
      normalize: normalizeClientKey,
      values: 'the secret, or `sha256:<64 hex>` of it',
      envDoc:
        '`GATEWAY_API_KEYS` (comma-separated) adds keys named `env-1`, `env-2`, … with no ' +
        'restrictions and `limits.defaults`',
      doc: 'the client key',
    }),
    role: oneOf(KEY_ROLES, {
      optional: true,
      defaultDoc: '`client`',
      doc:
        '`admin` keys may also call the operator endpoints (`/v1/providers`, `/v1/analytics`); ' +
        'a `client` key gets 403 `admin_required` there',
    }),
    allowedTiers: choiceList(ACCESS_TIERS, {
      optional: true,
      defaultDoc: 'every tier',
      doc:
        'a model of another tier is 403 `model_not_allowed`; `auto` stays within the allowed ' +
        'tiers (`x-gateway-route-reason: key:<from>-><to>`)',
    }),
    allowedModels: nameList({
      optional: true,
      values: 'public model names (`auto`, `instant`, an alias, a model id, `embeddings`)',
      defaultDoc: 'any',
      doc:
        'anything else is 403 `model_not_allowed`; a request without a model counts as ' +
        '`routing.default_model`',
    }),
    allowedTools: nameList({
      optional: true,
      values: 'registered tool names',
      defaultDoc: 'every tool',
      doc:
        "the server-side tools the gateway runs for this key; other tools' calls go back to " +
        'the caller as ordinary `tool_calls`; `[]` means none',
    }),
    /** The key's own limits; absent means `limits.defaults` (`RATE_LIMIT_*`). */
    limits: section(
      rateLimitKeys({
        rpm: {
          values: 'requests per minute',
          doc:
            "this key's own limits; a key with a `limits` mapping uses exactly it (an unset " +
            'field is unlimited), a key without one gets `limits.defaults`',
        },
        tpm: {
          values: 'tokens per minute',
          doc: 'prompt + completion tokens, as the upstream reports them',
        },
        concurrency: { values: 'requests in flight', doc: 'streams count until their last byte' },
      }),
      { optional: true, name: 'RateLimitsSchema' },
    ),
  },
  { name: 'ClientKeySchema' },
);

/** `auth`: who may call, and what each client key may use. */
export const AUTH_KEYS = section(
  {
    mode: oneOf(AUTH_MODES, {
      default: 'required',
      env: 'GATEWAY_AUTH',
      doc:
        '`required`: every `/v1` request needs `Authorization: Bearer <key>`; starting with no ' +
        'key is refused. `disabled`: no check (local demos only)',
    }),
    keys: list(CLIENT_KEY, { default: [] }),
  },
  { name: 'AuthSchema' },
);
