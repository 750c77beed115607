/**
 * What a server-side tool needs, and nothing else: the `@GatewayTool` decorator and the types of
 * its contract. Tools import from here (`'../public-api'` inside `src/tools`,
 * `'../tools/public-api'` from a feature folder), never from the tools module's index: the index
 * also exports `ToolsModule`, which imports the built-in tools, so a built-in tool importing the
 * index would load itself half-way and crash the boot (a circular import).
 *
 * This file and the two it re-exports import nothing else of the gateway;
 * `public-api.spec.ts` keeps it that way.
 */
export { GatewayTool } from './gateway-tool.decorator';
export type {
  GatewayToolOptions,
  ToolAvailability,
  ToolContext,
  ToolResult,
} from './gateway-tool.interface';
