export { ToolsModule } from './tools.module';
// What a tool needs comes from ./public-api, which cannot import the module (tools import that file).
export {
  GatewayTool,
  type GatewayToolOptions,
  type ToolAvailability,
  type ToolContext,
  type ToolResult,
} from './public-api';
export { GATEWAY_TOOL } from './gateway-tool.decorator';
export { ToolRegistry, ToolRegistrationError, type RegisteredTool } from './tool-registry.service';
export { ToolExecutor, type ToolCallOutcome, type ToolCallStatus } from './tool-executor.service';
export { ToolLoopService } from './tool-loop.service';
export type {
  LoopChunk,
  LoopCompletion,
  LoopModel,
  ToolLoopAnswer,
  ToolLoopHooks,
  ToolLoopRequest,
} from './tool-loop.interface';
export { ESCALATION_REASON, TOOL_ROUNDS_HEADER } from './tools.constants';
export { ToolMessages } from './tools.messages';
