import { GatewayTool, type ToolContext, type ToolResult } from '../public-api';

export interface WordCountArgs {
  text: string;
  /** Also count how often each word occurs. */
  frequencies?: boolean;
}

/** Counts the words of a text: the example tool of docs/adding-a-tool.md. */
@GatewayTool({
  name: 'word_count',
  description:
    'Counts the words, characters and sentences of a text; optionally how often each word occurs.',
  parameters: {
    type: 'object',
    properties: {
      text: { type: 'string', maxLength: 100000, description: 'The text to count.' },
      frequencies: { type: 'boolean', default: false },
    },
    required: ['text'],
    additionalProperties: false,
  },
  timeoutMs: 2000,
})
export class WordCountTool implements GatewayTool<WordCountArgs> {
  execute({ text, frequencies }: WordCountArgs, { signal }: ToolContext): ToolResult {
    const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
    const result: Record<string, unknown> = {
      words: words.length,
      characters: [...text].length,
      sentences: text.split(/[.!?]+/).filter((s) => s.trim() !== '').length,
    };
    if (frequencies) {
      const counts = new Map<string, number>();
      for (const word of words) {
        // Long loops check the signal: after an abort or the time limit the result is unused.
        signal.throwIfAborted();
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
      result.frequencies = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
    }
    return result;
  }
}
