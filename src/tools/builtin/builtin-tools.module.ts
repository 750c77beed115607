import { Module } from '@nestjs/common';
import { SandboxSlots } from '../sandbox/sandbox-slots';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
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
    TOOLS_CONFIG.provider,
    {
      provide: SANDBOX_SLOTS,
      inject: [TOOLS_CONFIG.token],
      useFactory: ({ tools }: ToolsSlice): SandboxSlots => new SandboxSlots(tools.sandbox),
    },
    {
      provide: MEMORY_STORE,
      inject: [TOOLS_CONFIG.token],
      useFactory: ({ tools, redis }: ToolsSlice): MemoryStore => {
        const url = redis.url;
        const { maxNotes, keyPrefix } = tools.memory;
        return url
          ? RedisMemoryStore.connect(url, maxNotes, keyPrefix)
          : new InMemoryMemoryStore(maxNotes);
      },
    },
  ],
})
export class BuiltinToolsModule {}
