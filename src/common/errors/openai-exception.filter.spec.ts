import {
  BadRequestException,
  HttpException,
  NotFoundException,
  type ArgumentsHost,
} from '@nestjs/common';
import { ClientClosedError } from '../http/client-abort';
import { ErrorCode } from './error-code';
import { GatewayException } from './gateway.exception';
import { OpenAiExceptionFilter } from './openai-exception.filter';

function host(
  reply: object,
  request: object = { method: 'POST', url: '/v1/chat/completions?x=1', headers: {} },
) {
  return {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => request }),
  } as unknown as ArgumentsHost;
}

function fakeReply() {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = {
    headers: {},
  };
  const reply = {
    sent: false,
    request: {} as { answeredWith?: string },
    raw: { headersSent: false, writableEnded: false, end: jest.fn() },
    header: (k: string, v: string) => ((sent.headers[k] = v), reply),
    status: (s: number) => ((sent.status = s), reply),
    type: () => reply,
    send: (b: unknown) => ((sent.body = b), reply),
  };
  return { reply, sent };
}

describe('OpenAiExceptionFilter', () => {
  const filter = new OpenAiExceptionFilter(1024);
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [
      new GatewayException(ErrorCode.ModelNotFound, 'nope', { param: 'model' }),
      404,
      'model_not_found',
    ],
    [new NotFoundException(), 404, 'not_found'],
    [new BadRequestException('Unexpected token } in JSON at position 3'), 400, 'invalid_json'],
    [
      new BadRequestException(
        "Body cannot be empty when content-type is set to 'application/json'",
      ),
      400,
      'invalid_json',
    ],
    [new HttpException('Request body is too large', 413), 413, 'request_too_large'],
    [new HttpException('Unsupported Media Type', 415), 415, 'unsupported_media_type'],
    [new Error('boom at /secret/path'), 500, 'internal_error'],
  ])('%s → %d %s in the OpenAI envelope', (exception, status, code) => {
    const { reply, sent } = fakeReply();
    jest.spyOn(filter['logger'], 'error').mockImplementation(() => undefined);
    filter.catch(exception, host(reply));
    expect(sent.status).toBe(status);
    const body = sent.body as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.code).toBe(code);
    expect(String(body.error.message)).not.toContain('/secret/path');
    // Telemetry and analytics count the refusal by the code the caller saw.
    expect(reply.request.answeredWith).toBe(code);
  });

  it('treats a client that went away as a normal ending: nothing sent, nothing logged as an error', () => {
    const { reply, sent } = fakeReply();
    const logged = jest.spyOn(filter['logger'], 'error').mockImplementation(() => undefined);
    filter.catch(new ClientClosedError(), host(reply));
    expect(sent.status).toBeUndefined();
    expect(logged).not.toHaveBeenCalled();
    expect(reply.raw.end).toHaveBeenCalled();
  });

  it('sets the exception headers, such as retry-after', () => {
    const { reply, sent } = fakeReply();
    filter.catch(
      new GatewayException(ErrorCode.Overloaded, 'busy', { headers: { 'retry-after': '1' } }),
      host(reply),
    );
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('1');
  });
});
