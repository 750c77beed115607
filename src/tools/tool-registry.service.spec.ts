import { Injectable, Logger, Module, Scope, type Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { GatewayTool } from './gateway-tool.decorator';
import type { ToolResult } from './gateway-tool.interface';
import { ToolRegistry } from './tool-registry.service';
import { ToolsModule } from './tools.module';
import { ToolMessages } from './tools.messages';

const OBJECT = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };

@GatewayTool({ name: 'echo', description: 'Echoes q.', parameters: OBJECT })
class EchoTool implements GatewayTool<{ q: string }> {
  execute({ q }: { q: string }): ToolResult {
    return q;
  }
}

@GatewayTool({ name: 'echo', description: 'Another echo.', parameters: OBJECT })
class SecondEchoTool implements GatewayTool {
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({ name: 'bad schema', description: 'x', parameters: OBJECT })
class BadNameTool implements GatewayTool {
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({ name: 'typo', description: 'x', parameters: { type: 'object', propertys: {} } })
class TypoSchemaTool implements GatewayTool {
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({
  name: 'wrong_type',
  description: 'x',
  parameters: { type: 'object', properties: { q: { type: 'strng' } } },
})
class WrongTypeTool implements GatewayTool {
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({ name: 'not_object', description: 'x', parameters: { type: 'string' } })
class NotObjectTool implements GatewayTool {
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({ name: 'switched_off', description: 'x', parameters: { type: 'object' } })
class SwitchedOffTool implements GatewayTool {
  isEnabled(): boolean {
    return false;
  }
  execute(): ToolResult {
    return null;
  }
}

@GatewayTool({ name: 'listed_only', description: 'x', parameters: { type: 'object' } })
class ListedOnlyTool implements GatewayTool {
  isEnabled(): 'listed-keys' {
    return 'listed-keys';
  }
  execute(): ToolResult {
    return null;
  }
}

@Injectable({ scope: Scope.REQUEST })
class PerRequest {}

@GatewayTool({ name: 'scoped', description: 'x', parameters: { type: 'object' } })
class RequestScopedTool implements GatewayTool {
  constructor(readonly perRequest: PerRequest) {}
  execute(): ToolResult {
    return null;
  }
}

/** Boots ToolsModule (with no built-in tool switched on) plus `tools` in a feature module. */
async function boot(...tools: Type[]): Promise<ToolRegistry> {
  @Module({ providers: [...tools, PerRequest] })
  class FeatureModule {}
  const tools_ = {
    maxRounds: 8,
    timeoutMs: 1000,
    sandbox: { maxWorkers: 1, queueTimeoutMs: 1000 },
    escalation: { enabled: true, invalidArguments: 2, rounds: 4 },
    builtin: Object.fromEntries(
      ['calculator', 'currentTime', 'runJavascript', 'webSearch', 'memory'].map((n) => [
        n,
        { enabled: false },
      ]),
    ),
    runJavascript: { timeoutMs: 1000, memoryLimitMb: 8 },
    webSearch: { maxResults: 3 },
    memory: { maxNotes: 10 },
  };
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        load: [() => ({ tools: tools_, redis: {}, auth: { keys: [] } })],
      }),
      ToolsModule,
      FeatureModule,
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef.get(ToolRegistry);
}

describe('ToolRegistry', () => {
  it('discovers decorated providers in any module and lists them by name', async () => {
    const registry = await boot(EchoTool);
    expect(registry.list().map((t) => t.name)).toEqual(['echo']);
    expect(registry.get('echo')?.definition).toEqual({
      type: 'function',
      function: { name: 'echo', description: 'Echoes q.', parameters: OBJECT },
    });
    expect(registry.get('echo')?.validate({ q: 'x' })).toBe(true);
    expect(registry.get('echo')?.validate({})).toBe(false);
  });

  it('names, with the fix, each loaded tool class whose module the application does not import', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const registry = await boot(EchoTool, SwitchedOffTool);
      // Every other tool of this file is loaded (decorated) but in no imported module.
      expect(registry.undiscovered()).toEqual([
        'echo (SecondEchoTool)',
        'bad schema (BadNameTool)',
        'typo (TypoSchemaTool)',
        'wrong_type (WrongTypeTool)',
        'not_object (NotObjectTool)',
        'listed_only (ListedOnlyTool)',
        'scoped (RequestScopedTool)',
      ]);
      expect(warn).toHaveBeenCalledWith(ToolMessages.notRegistered('echo', 'SecondEchoTool'));
      expect(ToolMessages.notRegistered('echo', 'SecondEchoTool')).toContain(
        'add that module to the imports of AppModule',
      );
      // A switched-off tool was discovered: it is not reported as unregistered.
      expect(registry.undiscovered().join()).not.toContain('SwitchedOffTool');
    } finally {
      warn.mockRestore();
    }
  });

  it('warns once per name about a tools entry that gives only a name no registered tool has', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const registry = await boot(EchoTool);
      warn.mockClear();
      const offered = [
        { type: 'function' as const, function: { name: 'echo' } },
        { type: 'function' as const, function: { name: 'word_count' } },
        { type: 'function' as const, function: { name: 'mine', parameters: { type: 'object' } } },
      ];
      registry.warnAboutUnknownNames(offered);
      registry.warnAboutUnknownNames(offered);
      registry.warnAboutUnknownNames(undefined);
      expect(warn.mock.calls).toEqual([[ToolMessages.unknownNameOnly('word_count', ['echo'])]]);
      expect(ToolMessages.unknownNameOnly('word_count', ['echo'])).toContain(
        'its module is not imported by AppModule',
      );
      // The names come from callers: a flood of them is logged a bounded number of times.
      registry.warnAboutUnknownNames(
        Array.from({ length: 500 }, (_, i) => ({
          type: 'function' as const,
          function: { name: `n${i}` },
        })),
      );
      expect(warn.mock.calls.length).toBe(100);
    } finally {
      warn.mockRestore();
    }
  });

  it('leaves out a tool that says it is switched off', async () => {
    const registry = await boot(EchoTool, SwitchedOffTool);
    expect(registry.has('switched_off')).toBe(false);
    expect(registry.has('echo')).toBe(true);
  });

  it.each<[string, string, ReadonlySet<string> | undefined, boolean]>([
    ['a tool on for everyone', 'echo', undefined, true],
    ['a tool on for everyone, to a key that lists it', 'echo', new Set(['echo']), true],
    ['a tool on for everyone, to a key that lists others', 'echo', new Set(['x']), false],
    ['a tool on per key, to a key without a list (or no key)', 'listed_only', undefined, false],
    ['a tool on per key, to a key that lists it', 'listed_only', new Set(['listed_only']), true],
    ['a tool on per key, to a key that lists others', 'listed_only', new Set(['echo']), false],
    ['an unregistered name', 'nope', new Set(['nope']), false],
  ])('permits %s: %s for %p is %p', async (_case, name, allowed, expected) => {
    const registry = await boot(EchoTool, ListedOnlyTool);
    expect(registry.permits(name, allowed)).toBe(expected);
  });

  it.each<[string, Type[], string]>([
    [
      'two tools with one name',
      [EchoTool, SecondEchoTool],
      ToolMessages.duplicateName('echo', 'EchoTool', 'SecondEchoTool'),
    ],
    [
      'a name the API refuses',
      [BadNameTool],
      ToolMessages.invalidName('bad schema', 'BadNameTool'),
    ],
    [
      'a misspelt schema keyword',
      [TypoSchemaTool],
      'Tool "typo": its parameters schema is invalid',
    ],
    ['an unknown type', [WrongTypeTool], 'Tool "wrong_type": its parameters schema is invalid'],
    ['a schema that is not an object', [NotObjectTool], ToolMessages.schemaNotObject('not_object')],
    [
      'a request-scoped tool',
      [RequestScopedTool],
      ToolMessages.notSingleton('scoped', 'RequestScopedTool'),
    ],
  ])('refuses to start with %s', async (_name, tools, message) => {
    await expect(boot(...tools)).rejects.toThrow(message);
  });

  it('completes a tools entry that gives only a registered name, keeping what the caller gave', async () => {
    const registry = await boot(EchoTool);
    expect(
      registry.completeDefinitions([
        { type: 'function', function: { name: 'echo' } },
        { type: 'function', function: { name: 'echo', description: 'My words.' } },
        { type: 'function', function: { name: 'client_tool' } },
      ]),
    ).toEqual([
      {
        type: 'function',
        function: { name: 'echo', description: 'Echoes q.', parameters: OBJECT },
      },
      {
        type: 'function',
        function: { name: 'echo', description: 'My words.', parameters: OBJECT },
      },
      { type: 'function', function: { name: 'client_tool' } },
    ]);
  });
});
