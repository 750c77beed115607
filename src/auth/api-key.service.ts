import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccessTier, ClientKeyConfig, RateLimitsConfig } from '../config';
import { AUTH_CONFIG, type AuthSlice } from './auth.config';

/**
 * What a key may do, resolved once at boot. An absent set means "no restriction"; `limits` are
 * the key's own or, when it has none, `limits.defaults` (`RATE_LIMIT_*`).
 */
export interface KeyPolicy {
  readonly allowedTiers?: ReadonlySet<AccessTier>;
  readonly allowedModels?: ReadonlySet<string>;
  readonly allowedTools?: ReadonlySet<string>;
  readonly limits: Readonly<RateLimitsConfig>;
}

/**
 * What a key is for (`auth.keys[].role`): `client` keys call the model API; `admin` keys may
 * also read the operator endpoints (`@AdminOnly()`: `/v1/providers`, `/v1/analytics`).
 */
export type KeyRole = 'client' | 'admin';

/** What the rest of the gateway knows of a caller: a name, a role and a policy, never the secret. */
export interface CallerIdentity {
  keyName: string;
  /** Absent means `client` (identities built before roles existed, test doubles). */
  role?: KeyRole;
  policy: KeyPolicy;
}

/** The name every request shares when `GATEWAY_AUTH=disabled` (limits and accounting). */
export const ANONYMOUS_KEY_NAME = 'anonymous';

interface StoredKey {
  identity: CallerIdentity;
  digest: Buffer;
}

/**
 * Client keys, kept only as SHA-256 digests (plain entries are hashed at boot, `sha256:` entries
 * are taken as given). A presented key is hashed and compared with every stored digest in
 * constant time, without stopping at the first match, so timing says nothing about which
 * keys exist.
 */
@Injectable()
export class ApiKeyService {
  readonly required: boolean;
  /** The identity of callers when no key is required. */
  readonly anonymous: CallerIdentity;
  private readonly keys: StoredKey[];
  /**
   * Secrets already verified, so a valid key is hashed once rather than on every request. Only
   * matches are kept (a flood of wrong keys cannot grow it), and it is bounded: cleared when
   * full. A hit is faster than a miss, which tells only the holder of a valid key that it is
   * valid; misses keep the constant-time scan.
   */
  private readonly verified = new Map<string, CallerIdentity>();

  constructor(@Inject(AUTH_CONFIG.token) config: AuthSlice) {
    const { auth, defaults } = config;
    this.required = auth.mode === 'required';
    // With auth disabled every route is open, operator endpoints included (documented).
    this.anonymous = { keyName: ANONYMOUS_KEY_NAME, role: 'admin', policy: { limits: defaults } };
    this.keys = auth.keys.map((key) => ({
      identity: { keyName: key.name, role: roleOf(key), policy: policyOf(key, defaults) },
      digest: key.key.startsWith('sha256:')
        ? Buffer.from(key.key.slice('sha256:'.length), 'hex')
        : sha256(key.key),
    }));
  }

  /** The identity behind a presented secret, or undefined. */
  identify(secret: string): CallerIdentity | undefined {
    const known = this.verified.get(secret);
    if (known !== undefined) return known;
    const digest = sha256(secret);
    let match: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && match === undefined) match = key;
    }
    if (match === undefined) return undefined;
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(secret, match.identity);
    return match.identity;
  }
}

/** Distinct valid secrets remembered; far more than a gateway's clients use at once. */
const VERIFIED_CACHE_SIZE = 1024;

function roleOf(key: ClientKeyConfig): KeyRole {
  return key.role ?? 'client';
}

function policyOf(key: ClientKeyConfig, defaults: RateLimitsConfig): KeyPolicy {
  return {
    ...(key.allowedTiers ? { allowedTiers: new Set(key.allowedTiers) } : {}),
    ...(key.allowedModels ? { allowedModels: new Set(key.allowedModels) } : {}),
    ...(key.allowedTools ? { allowedTools: new Set(key.allowedTools) } : {}),
    limits: key.limits ?? defaults,
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
