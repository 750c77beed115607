import { applyDecorators, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type {
  GatewayTool as GatewayToolContract,
  GatewayToolOptions,
} from './gateway-tool.interface';

/** The discoverable marker the registry looks for; its `KEY` is the metadata key. */
export const GATEWAY_TOOL = DiscoveryService.createDecorator<GatewayToolOptions>();

/**
 * Marks a class as a server-side tool and makes it an injectable singleton. List the class in
 * any module's `providers`; the registry discovers it at start-up.
 *
 * @example
 * ```ts
 * @GatewayTool({ name: 'word_count', description: '…', parameters: { type: 'object' } })
 * export class WordCountTool implements GatewayTool { … }
 * ```
 */
export function GatewayTool(options: GatewayToolOptions): ClassDecorator {
  return applyDecorators(Injectable(), GATEWAY_TOOL(options));
}

/** The contract a decorated class implements (the same name as the decorator, as in Nest). */
export type GatewayTool<TArgs = Record<string, unknown>> = GatewayToolContract<TArgs>;
