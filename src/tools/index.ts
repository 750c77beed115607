export { ToolsModule } from './tools.module';
export { GatewayTool, GATEWAY_TOOL } from './gateway-tool.decorator';
export type {
  GatewayToolOptions,
  ToolAvailability,
  ToolContext,
  ToolResult,
} from './gateway-tool.interface';
export { ToolRegistry, ToolRegistrationError, type RegisteredTool } from './tool-registry.service';
export { ToolExecutor, type ToolCallOutcome, type ToolCallStatus } from './tool-executor.service';
export { ToolLoopService } from './tool-loop.service';
export type {
  LoopModel,
  ToolLoopAnswer,
  ToolLoopHooks,
  ToolLoopRequest,
} from './tool-loop.interface';
export { ESCALATION_REASON, TOOL_ROUNDS_HEADER } from './tools.constants';
export { ToolMessages } from './tools.messages';
