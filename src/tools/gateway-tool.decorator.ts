import { applyDecorators, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type {
  GatewayTool as GatewayToolContract,
  GatewayToolOptions,
} from './gateway-tool.interface';

/** The discoverable marker the registry looks for; its `KEY` is the metadata key. */
export const GATEWAY_TOOL = DiscoveryService.createDecorator<GatewayToolOptions>();

/**
 * Every class decorated with {@link GatewayTool} that this process has loaded. Discovery only
 * sees the providers of imported modules; the registry compares the two at start-up and names
 * each tool whose module the application does not import (it would otherwise silently become
 * the caller's tool).
 */
const declaredTools = new Map<ToolClass, string>();

/** A class decorated with {@link GatewayTool}. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- ClassDecorator's own type
export type ToolClass = Function;

/** A decorated class and the tool name it declares. */
export interface DeclaredTool {
  readonly type: ToolClass;
  readonly name: string;
}

/** The classes decorated with {@link GatewayTool} so far, in the order they were loaded. */
export function declaredGatewayTools(): DeclaredTool[] {
  return [...declaredTools].map(([type, name]) => ({ type, name }));
}

/**
 * Marks a class as a server-side tool and makes it an injectable singleton. List the class in
 * the `providers` of a module that `AppModule` imports; the registry discovers it at start-up
 * (and warns, naming the class, when its module is not imported). Import it from
 * `src/tools/public-api` (docs/adding-a-tool.md).
 *
 * @example
 * ```ts
 * @GatewayTool({ name: 'word_count', description: '…', parameters: { type: 'object' } })
 * export class WordCountTool implements GatewayTool { … }
 * ```
 */
export function GatewayTool(options: GatewayToolOptions): ClassDecorator {
  const decorate = applyDecorators(Injectable(), GATEWAY_TOOL(options));
  return (target) => {
    declaredTools.set(target, options.name);
    decorate(target);
  };
}

/** The contract a decorated class implements (the same name as the decorator, as in Nest). */
export type GatewayTool<TArgs = Record<string, unknown>> = GatewayToolContract<TArgs>;
