/**
 * The CPU cost of turning one streamed content chunk's text into its value, before (`JSON.parse`
 * of every chunk: `parseStreamChunk`) and after (one stream's `ChunkTemplate`, issue 17), in
 * the same process, alternating rounds, on chunks of the simulator's shape (a tenth with an
 * escape in the content, a tenth with a non-ASCII character).
 *
 *   npx tsc -p tsconfig.tools.json && node .tools/bench/stream-chunk.bench.js [--chunks 100000] [--rounds 7]
 */
import { parseStreamChunk } from '../src/providers/openai-wire.mapper';
import { chunkStream } from '../src/providers/stream-shape';
import { alternatingRounds, median } from './support/stats';

const ORIGIN = 'http://127.0.0.1:8000';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

/** Distinct texts, each a flat string as the SSE parser hands them over. */
function contentChunks(count: number): string[] {
  const head =
    '{"id":"chatcmpl-9f8e7d6c5b4a3928","object":"chat.completion.chunk","created":1765140000,' +
    '"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":';
  const tail = '},"logprobs":null,"finish_reason":null}],"usage":null}';
  return Array.from({ length: count }, (_, i) => {
    const content = i % 10 === 3 ? ` "q${i}"\n` : i % 10 === 7 ? ` caf\u00e9${i}` : ` tok${i}`;
    return Buffer.from(head + JSON.stringify(content) + tail).toString('utf8');
  });
}

function main(): void {
  const count = arg('chunks', 100_000);
  const rounds = arg('rounds', 7);
  const texts = contentChunks(2_000);
  const parser = chunkStream<{ choices: unknown[] }>().parser!();
  let kept = 0;
  const variants: Record<string, (i: number) => void> = {
    'JSON.parse of each chunk (before)': (i) => {
      kept += parseStreamChunk(texts[i % texts.length], ORIGIN).chunk.choices.length;
    },
    'chunk template (after)': (i) => {
      kept += parser.parse(texts[i % texts.length], ORIGIN).chunk.choices.length;
    },
  };
  const ns = alternatingRounds(variants, rounds, count);
  console.log(
    `streamed content chunk → value, node ${process.version}, ${count} chunks × ${rounds} rounds (median ns/chunk):`,
  );
  for (const [name, values] of Object.entries(ns)) {
    console.log(
      `  ${name}: ${median(values).toFixed(0)} ns (rounds: ${values.map((v) => v.toFixed(0)).join(', ')})`,
    );
  }
  if (kept === 0) console.log('(nothing parsed)');
}

main();
