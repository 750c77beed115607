import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BuiltinToolsModule } from './builtin/builtin-tools.module';
import { ToolExecutor } from './tool-executor.service';
import { ToolLoopService } from './tool-loop.service';
import { ToolRegistry } from './tool-registry.service';
import { TOOLS_CONFIG } from './tools.config';
import { ToolsController } from './tools.controller';

/**
 * Server-side tools (docs/api.md §8): the registry that discovers `@GatewayTool` providers anywhere in
 * the application, the executor, the tool loop the chat front runs, `GET /v1/tools`, and the
 * built-in tools.
 */
@Module({
  imports: [DiscoveryModule, BuiltinToolsModule],
  controllers: [ToolsController],
  providers: [TOOLS_CONFIG.provider, ToolRegistry, ToolExecutor, ToolLoopService],
  exports: [ToolRegistry, ToolExecutor, ToolLoopService],
})
export class ToolsModule {}
