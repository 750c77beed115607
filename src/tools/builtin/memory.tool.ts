import { Inject } from '@nestjs/common';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolAvailability, ToolContext, ToolResult } from '../gateway-tool.interface';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
import { MEMORY_STORE } from '../tools.constants';
import { BuiltinToolMessages } from './builtin-tools.messages';
import { memoryScopes } from './memory-scope';
import type { MemoryNote, MemoryStore } from './memory.store';
import { optInAvailability } from './opt-in-tool';

export interface MemoryArgs {
  action: 'remember' | 'recall' | 'forget';
  note?: string;
  query?: string;
  id?: string;
}

export { ANONYMOUS_SCOPE } from './memory-scope';
/** Notes returned by one recall. */
const MAX_RECALLED = 50;

/**
 * `memory`: notes that persist across conversations, scoped to the calling API key's identity
 * (a digest of its secret, see {@link memoryScopes}): one key never sees another's notes. In
 * memory by default, in Redis when `REDIS_URL` is set (under `tools.memory.key_prefix`). Off
 * unless `tools.builtin.memory.enabled` is true or a key lists it in `allowed_tools`.
 */
@GatewayTool({
  name: 'memory',
  description:
    'Long-term memory across conversations. action "remember" stores a short note ' +
    '(preferences, facts about the user or project); "recall" lists stored notes, newest ' +
    'first, optionally only those containing every word of "query"; "forget" deletes the note ' +
    'with the given "id".',
  parameters: {
    type: 'object',
    properties: {
      action: { type: 'string', enum: ['remember', 'recall', 'forget'] },
      note: { type: 'string', minLength: 1, maxLength: 2000, description: 'remember: the note.' },
      query: { type: 'string', maxLength: 200, description: 'recall: words to look for.' },
      id: { type: 'string', minLength: 1, maxLength: 64, description: 'forget: the note id.' },
    },
    required: ['action'],
    additionalProperties: false,
  },
})
export class MemoryTool implements GatewayTool<MemoryArgs> {
  private readonly availability: ToolAvailability;
  private readonly scopeOf: (keyName?: string) => string;

  constructor(
    @Inject(MEMORY_STORE) private readonly store: MemoryStore,
    @Inject(TOOLS_CONFIG.token) { tools, keys }: ToolsSlice,
  ) {
    const enabled = tools.builtin.memory.enabled;
    this.availability = optInAvailability(enabled, 'memory', keys);
    this.scopeOf = memoryScopes(keys);
  }

  isEnabled(): ToolAvailability {
    return this.availability;
  }

  async execute(args: MemoryArgs, { keyName }: ToolContext): Promise<ToolResult> {
    const scope = this.scopeOf(keyName);
    switch (args.action) {
      case 'remember': {
        if (!args.note) throw new Error(BuiltinToolMessages.noteRequired());
        const { id, note } = await this.store.add(scope, args.note);
        return { remembered: { id, note } };
      }
      case 'recall': {
        const words = (args.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
        const notes = (await this.store.list(scope)).filter((n) => matches(n, words));
        return { notes: notes.slice(0, MAX_RECALLED), total: notes.length };
      }
      case 'forget': {
        if (!args.id) throw new Error(BuiltinToolMessages.idRequired());
        if (!(await this.store.remove(scope, args.id))) {
          throw new Error(BuiltinToolMessages.noteNotFound(args.id));
        }
        return { forgotten: args.id };
      }
    }
  }
}

function matches(note: MemoryNote, words: readonly string[]): boolean {
  const text = note.note.toLowerCase();
  return words.every((word) => text.includes(word));
}
