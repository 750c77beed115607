import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../../config';
import { SandboxSlots } from '../sandbox/sandbox-slots';
import { MEMORY_STORE, SANDBOX_SLOTS } from '../tools.constants';
import { CalculatorTool } from './calculator.tool';
import { CurrentTimeTool } from './current-time.tool';
import { InMemoryMemoryStore, type MemoryStore } from './memory.store';
import { MemoryTool } from './memory.tool';
import { RedisMemoryStore } from './redis-memory.store';
import { RunJavascriptTool } from './run-javascript.tool';
import { WebSearchTool } from './web-search.tool';

/** The tools that ship with the gateway; each is switched by `tools.builtin.<name>.enabled`. */
@Module({
  providers: [
    CalculatorTool,
    CurrentTimeTool,
    RunJavascriptTool,
    WebSearchTool,
    MemoryTool,
    {
      provide: SANDBOX_SLOTS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>): SandboxSlots =>
        new SandboxSlots(config.get('tools', { infer: true }).sandbox),
    },
    {
      provide: MEMORY_STORE,
      inject: [ConfigService],
      useFactory: (config: ConfigService<GatewayConfig, true>): MemoryStore => {
        const url = config.get('redis', { infer: true }).url;
        const { maxNotes, keyPrefix } = config.get('tools', { infer: true }).memory;
        return url
          ? RedisMemoryStore.connect(url, maxNotes, keyPrefix)
          : new InMemoryMemoryStore(maxNotes);
      },
    },
  ],
})
export class BuiltinToolsModule {}
