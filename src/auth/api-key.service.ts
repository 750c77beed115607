import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config';

/** What the rest of the gateway knows of a caller: a name, never the secret. */
export interface CallerIdentity {
  keyName: string;
}

interface StoredKey {
  name: string;
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
  private readonly keys: StoredKey[];

  constructor(config: ConfigService<GatewayConfig, true>) {
    const auth = config.get('auth', { infer: true });
    this.required = auth.mode === 'required';
    this.keys = auth.keys.map((key) => ({
      name: key.name,
      digest: key.key.startsWith('sha256:')
        ? Buffer.from(key.key.slice('sha256:'.length), 'hex')
        : sha256(key.key),
    }));
  }

  /** The identity behind a presented secret, or undefined. */
  identify(secret: string): CallerIdentity | undefined {
    const digest = sha256(secret);
    let match: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, digest) && match === undefined) match = key;
    }
    return match ? { keyName: match.name } : undefined;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
