import type { CallHandler, NestInterceptor } from '@nestjs/common';
import { createGatewayApp } from '../../src/app.factory';
import { RequestRecordSinks, type RequestTelemetry } from '../../src/telemetry';
import { startStack, TEST_KEY, type Stack } from './harness';

/*
 * POST /v1/chat/completions is registered on Fastify beside Nest's router and runs the guard, the
 * validation pipe and the exception filter itself (docs/adr/0015). Its behaviour is held by the
 * whole chat, errors, limits, streaming and hardening suites; these tests hold what is its own:
 * the boot refuses a global enhancer it would skip, errors thrown before the handler and rejected
 * by it reach the one filter (envelope and `answeredWith`), and the OpenAPI document keeps it.
 */

class AuditInterceptor implements NestInterceptor {
  intercept(_context: never, next: CallHandler) {
    return next.handle();
  }
}

describe('the chat hot route (ADR 0015)', () => {
  let stack: Stack;
  const records: Pick<RequestTelemetry, 'status' | 'answeredWith'>[] = [];
  beforeAll(async () => {
    stack = await startStack();
    stack.app.get(RequestRecordSinks).add({
      write: ({ status, answeredWith }) => void records.push({ status, answeredWith }),
    });
  });
  afterAll(() => stack.close());

  it('does not start when the app has a global enhancer the route would skip', async () => {
    const app = await createGatewayApp(stack.config, { logger: false });
    app.useGlobalInterceptors(new AuditInterceptor());
    try {
      await expect(app.listen(0, '127.0.0.1')).rejects.toThrow(
        /interceptors: \[AuditInterceptor\], the hot route runs \[\]/,
      );
    } finally {
      await app.close();
    }
  });

  const post = (body: unknown, key = TEST_KEY) =>
    fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
  const hi = [{ role: 'user', content: 'hi' }];

  it.each<[string, () => Promise<Response>, number, string]>([
    [
      'the guard (thrown before the body is validated)',
      () => post({ messages: 'x' }, 'nope'),
      401,
      'invalid_api_key',
    ],
    ['the pipe (thrown)', () => post({ messages: 'x' }), 400, 'invalid_value'],
    [
      'admission (rejected by the handler)',
      () => post({ model: 'no-such-model', messages: hi }),
      404,
      'model_not_found',
    ],
  ])('renders a refusal by %s through the filter', async (_name, send, status, code) => {
    records.length = 0;
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as { error: { code: string; type: string } };
    expect(body.error.code).toBe(code);
    for (let i = 0; i < 50 && records.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(records).toEqual([{ status, answeredWith: code }]);
  });

  it('stays in the OpenAPI document as its controller described it', async () => {
    const doc = (await (await fetch(`${stack.url}/docs-json`)).json()) as any;
    expect(doc.paths['/v1/chat/completions']).toEqual({
      post: {
        operationId: 'ChatCompletionsController_create',
        summary: 'OpenAI Chat Completions, routed to the instant or thinking tier',
        tags: ['chat'],
        security: [{ bearer: [] }],
        parameters: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ChatCompletionRequestDto' },
            },
          },
        },
        responses: { '200': { description: '' } },
      },
    });
    const schema = doc.components.schemas.ChatCompletionRequestDto;
    expect(schema.required).toEqual(['messages']);
    expect(schema.properties.messages.items).toEqual({
      $ref: '#/components/schemas/ChatMessageDto',
    });
  });
});
