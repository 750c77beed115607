import type { ConfigOf, LeafNode, SectionNode } from './config-key.builders';
import { schemaClass } from './config-schema.compiler';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './config.constants';

/**
 * What a section resolves to when neither the file nor the environment sets any of its keys.
 * Only for sections without required keys (`server`, `routing`, `tools`, …).
 *
 * @example defaultsOf(GATEWAY_CONFIG_KEYS.shape.server).shutdown.drainDelayMs // 5000
 */
export function defaultsOf<N extends SectionNode>(node: N): ConfigOf<N> {
  return node.resolve(new (schemaClass(node))(), {
    key: '',
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  }) as ConfigOf<N>;
}

/** A key's declared default. @throws when the key has none (it is required or optional). */
export function defaultOf<T>(node: LeafNode<T, unknown>): T {
  if (!node.makeDefault) throw new Error('config declaration: this key has no default');
  return node.makeDefault();
}
