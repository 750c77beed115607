import { Logger, type DynamicModule } from '@nestjs/common';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import type { GatewayConfig } from '../../src/config';
import { ToolRegistry } from '../../src/tools';
import { WordCountModule } from '../../src/tools/examples/word-count.module';
import { authHeaders, chat, postJson, startStack, withSim, type Stack } from './harness';

/*
 * docs/adding-a-tool.md, followed step by step against the real application: the example tool
 * (byte for byte the guide's code, see word-count.tool.spec.ts) in its own module, that module
 * added to AppModule's imports (step 2), then the guide's checks (step 3) over real sockets.
 */

const SRC = join(__dirname, '..', '..', 'src');
const GUIDE = readFileSync(join(SRC, '..', 'docs', 'adding-a-tool.md'), 'utf8');

/** Step 2: `WordCountModule` in the imports of `AppModule.forRoot`. */
function importIntoAppModule(module: DynamicModule['module']): void {
  const forRoot = AppModule.forRoot.bind(AppModule);
  jest
    .spyOn(AppModule, 'forRoot')
    .mockImplementation((config: GatewayConfig, options): DynamicModule => {
      const app = forRoot(config, options);
      return { ...app, imports: [...(app.imports ?? []), module] };
    });
}

function toolFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return toolFiles(path);
    return path.endsWith('.tool.ts') ? [path] : [];
  });
}

describe('docs/adding-a-tool.md, step by step', () => {
  it('tells the reader to import the public entry point and to add the module to AppModule', () => {
    expect(GUIDE).toContain("from '../public-api'");
    expect(GUIDE).toContain("from '../tools/public-api'");
    expect(GUIDE).not.toMatch(/from '\.\.'/);
    expect(GUIDE).toMatch(/imports[^\n]*AppModule|AppModule[^\n]*imports/);
  });

  describe('with the tool module imported into AppModule', () => {
    let stack: Stack;
    beforeAll(async () => {
      importIntoAppModule(WordCountModule);
      stack = await startStack();
    });
    afterAll(async () => {
      await stack.close();
      jest.restoreAllMocks();
    });

    it('GET /v1/tools lists word_count (the guide\'s "Check it")', async () => {
      const res = await fetch(`${stack.url}/v1/tools`, { headers: authHeaders() });
      const names = ((await res.json()) as { data: { function: { name: string } }[] }).data.map(
        (t) => t.function.name,
      );
      expect(names).toContain('word_count');
      expect(stack.app.get(ToolRegistry).undiscovered()).toEqual([]);
    });

    it('runs word_count when a request offers it by name', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(
          chat('How many words are in "to be or not to be"?', {
            model: 'instant',
            tools: [{ type: 'function', function: { name: 'word_count' } }],
          }),
          { tool_calls: [{ name: 'word_count', arguments: '{"text":"to be or not to be"}' }] },
        ),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect(res.body.choices[0].message.content).toBe(
        'Tool results: {"words":6,"characters":18,"sentences":1}',
      );
    });
  });

  describe('the shipped application', () => {
    let stack: Stack;
    beforeAll(async () => {
      // Load every tool class in src, as a newcomer's new *.tool.ts would be.
      for (const file of toolFiles(SRC)) await import(file);
      stack = await startStack();
    });
    afterAll(() => stack.close());

    it("registers every *.tool.ts in src; only the guide's example is reported as unregistered", () => {
      expect(stack.app.get(ToolRegistry).undiscovered()).toEqual(['word_count (WordCountTool)']);
    });

    it('does not run a tool whose module is not imported: the call goes back to the caller, and the log says why', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(
          chat('Count', {
            model: 'instant',
            tools: [{ type: 'function', function: { name: 'word_count' } }],
          }),
          { tool_calls: [{ name: 'word_count', arguments: '{"text":"a b"}' }] },
        ),
      );
      expect(res.status).toBe(200);
      expect(res.body.choices[0].finish_reason).toBe('tool_calls');
      expect(res.headers.get('x-gateway-tool-rounds')).toBeNull();
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('A request offered the tool "word_count" by name only'),
      );
      warn.mockRestore();
    });
  });
});
