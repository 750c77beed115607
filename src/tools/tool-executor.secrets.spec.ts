import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import Ajv from 'ajv';
import { installSecrets } from '../common/secrets';
import type { GatewayConfig } from '../config';
import { errorResult, ToolExecutor } from './tool-executor.service';
import type { RegisteredTool, ToolRegistry } from './tool-registry.service';

/** SPEC §6 / issue 13: a tool's error message never hands a configured secret to the model. */
describe('ToolExecutor: secrets in tool errors', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('scrubs configured secrets from the error result', async () => {
    installSecrets(['sk-search-engine-4242']);
    const tool: RegisteredTool = {
      name: 'leaky',
      description: 'leaky',
      parameters: { type: 'object' },
      tool: {
        execute: () => {
          throw new Error('GET https://search/?key=sk-search-engine-4242 failed: 500');
        },
      },
      validate: new Ajv().compile({ type: 'object' }),
      definition: { type: 'function', function: { name: 'leaky', parameters: {} } },
    };
    const registry = { get: (name: string) => (name === 'leaky' ? tool : undefined) };
    const config = { get: () => ({ timeoutMs: 200 }) } as unknown as ConfigService<
      GatewayConfig,
      true
    >;
    const executor = new ToolExecutor(registry as unknown as ToolRegistry, config);
    const outcome = await executor.execute(
      { id: 'call_1', type: 'function', function: { name: 'leaky', arguments: '{}' } },
      { signal: new AbortController().signal, requestId: 'r', keyName: 'k' },
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      content: errorResult('GET https://search/?key=[redacted] failed: 500'),
    });
  });
});
