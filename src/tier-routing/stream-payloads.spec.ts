import { firstValueFrom, from, toArray } from 'rxjs';
import type { ChatCompletionChunk } from '../common/openai';
import type { UpstreamChunk } from '../providers';
import { toPayloads } from './stream-payloads';

/** Upstream payloads exactly as a server writes them (raw text is what must reach the caller). */
const ROLE = '{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}';
const TEXT = '{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}';
const FINISH = '{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}';
const FINISH_TIMED =
  '{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"timings":{"predicted_n":2}}';
const USAGE =
  '{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}';
/** llama.cpp: with usage asked for, `timings` sits on the usage chunk, the stream's last. */
const USAGE_TIMED =
  '{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"timings":{"predicted_n":2},"system_fingerprint":"b1"}';
const FINISH_CARRIED =
  '{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"timings":{"predicted_n":2},"system_fingerprint":"b1"}';

const upstream = (...raws: string[]): UpstreamChunk<ChatCompletionChunk>[] =>
  raws.map((raw) => ({ raw, chunk: JSON.parse(raw) as ChatCompletionChunk }));

const run = (raws: string[], callerWantsUsage: boolean): Promise<string[]> =>
  firstValueFrom(toPayloads(from(upstream(...raws)), callerWantsUsage).pipe(toArray()));

describe('toPayloads', () => {
  it.each<[string, string[], boolean, string[]]>([
    [
      'forwards every chunk as received when the caller asked for usage',
      [ROLE, TEXT, FINISH, USAGE_TIMED],
      true,
      [ROLE, TEXT, FINISH, USAGE_TIMED],
    ],
    [
      'drops the usage chunk when the caller did not ask, finish chunk unchanged',
      [ROLE, TEXT, FINISH, USAGE],
      false,
      [ROLE, TEXT, FINISH],
    ],
    [
      'moves the dropped usage chunk’s other fields (timings) onto the finish chunk',
      [ROLE, TEXT, FINISH, USAGE_TIMED],
      false,
      [ROLE, TEXT, FINISH_CARRIED],
    ],
    [
      'keeps a field the finish chunk has already',
      [ROLE, FINISH_TIMED, USAGE_TIMED],
      false,
      [
        ROLE,
        '{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"timings":{"predicted_n":2},"system_fingerprint":"b1"}',
      ],
    ],
    [
      'forwards a held finish chunk raw at the end when no usage chunk follows',
      [ROLE, TEXT, FINISH_TIMED],
      false,
      [ROLE, TEXT, FINISH_TIMED],
    ],
    [
      'forwards a held finish chunk raw when another choice follows',
      [FINISH, TEXT, FINISH, USAGE_TIMED],
      false,
      [FINISH, TEXT, FINISH_CARRIED],
    ],
  ])('%s', async (_name, input, callerWantsUsage, expected) => {
    expect(await run(input, callerWantsUsage)).toEqual(expected);
  });

  it('tells the observer of the usage chunk, and of the first payload once', async () => {
    const seen: string[] = [];
    await firstValueFrom(
      toPayloads(from(upstream(ROLE, FINISH, USAGE_TIMED)), false, undefined, {
        first: () => seen.push('first'),
        usage: (chunk) => seen.push(`usage ${chunk.usage?.total_tokens}`),
      }).pipe(toArray()),
    );
    expect(seen).toEqual(['first', 'usage 5']);
  });
});
