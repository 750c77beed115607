import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolExecutor, ToolRegistry, ToolsModule } from '..';
import { WordCountModule } from './word-count.module';

const TOOLS_CONFIG = {
  maxRounds: 8,
  timeoutMs: 10_000,
  escalation: { enabled: true, invalidArguments: 2, rounds: 4 },
  builtin: {
    calculator: { enabled: false },
    currentTime: { enabled: false },
    runJavascript: { enabled: false },
    webSearch: { enabled: false },
    memory: { enabled: false },
  },
  runJavascript: { timeoutMs: 2000, memoryLimitMb: 32 },
  webSearch: { maxResults: 5 },
  memory: { maxNotes: 200 },
};

describe('docs/adding-a-tool.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'adding-a-tool.md'), 'utf8');

  it.each(['word-count.tool.ts', 'word-count.module.ts'])(
    'shows %s exactly as it is in src/tools/examples',
    (file) => {
      const source = readFileSync(join(__dirname, file), 'utf8');
      expect(doc).toContain('```ts\n' + source + '```');
    },
  );
});

describe('WordCountTool (the documented example)', () => {
  let registry: ToolRegistry;
  let executor: ToolExecutor;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ tools: TOOLS_CONFIG, redis: {}, auth: { keys: [] } })],
        }),
        ToolsModule,
        WordCountModule,
      ],
    }).compile();
    await moduleRef.init();
    registry = moduleRef.get(ToolRegistry);
    executor = moduleRef.get(ToolExecutor);
  });
  afterAll(() => jest.restoreAllMocks());

  const run = (args: unknown) =>
    executor.execute(
      {
        id: 'call_1',
        type: 'function',
        function: { name: 'word_count', arguments: JSON.stringify(args) },
      },
      { signal: new AbortController().signal, requestId: 'test' },
    );

  it('is discovered from its module and listed with its schema', () => {
    expect(registry.get('word_count')?.definition.function).toMatchObject({
      name: 'word_count',
      parameters: { required: ['text'] },
    });
  });

  it('counts words, characters and sentences', async () => {
    const outcome = await run({ text: 'The cat sat. The cat ran! Why?' });
    expect(outcome.status).toBe('ok');
    expect(JSON.parse(outcome.content)).toEqual({ words: 7, characters: 30, sentences: 3 });
  });

  it('counts word frequencies when asked', async () => {
    const outcome = await run({ text: 'The cat, the hat.', frequencies: true });
    expect(JSON.parse(outcome.content).frequencies).toEqual({ the: 2, cat: 1, hat: 1 });
  });

  it('never runs with arguments that do not match its schema', async () => {
    const outcome = await run({ txt: 'typo' });
    expect(outcome.status).toBe('invalid_arguments');
    expect(JSON.parse(outcome.content).error).toMatch(/required property 'text'/);
  });
});
