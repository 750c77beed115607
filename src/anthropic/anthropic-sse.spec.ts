import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { from, lastValueFrom, throwError, toArray, concat, of } from 'rxjs';
import { ErrorCode, GatewayException } from '../common/errors';
import { SseResponseWriter, type SseEvent } from '../common/sse';
import { AnthropicSseWriter, inBandAnthropicError, toSseEvents } from './anthropic-sse';

describe('AnthropicSseWriter', () => {
  let server: Server;
  let port: number;
  let handle: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_req, res) => handle(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function bodyOf(serve: (res: ServerResponse) => void): Promise<string> {
    handle = serve;
    return new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  }

  it.each<[string, typeof SseResponseWriter, string]>([
    ['Anthropic’s ping event', AnthropicSseWriter, 'event: ping\ndata: {"type":"ping"}\n\n'],
    ['the comment, for OpenAI’s fronts', SseResponseWriter, ': ping\n\n'],
  ])('writes %s as the heartbeat', async (_name, Writer, frame) => {
    const body = await bodyOf((res) => {
      const writer = new Writer(res, { heartbeatMs: 0 });
      writer.writeEvent('message_stop', '{"type":"message_stop"}');
      writer.onHeartbeat();
      writer.end();
    });
    expect(body).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n' + frame);
  });
});

describe('toSseEvents', () => {
  it('names each event by its type, with its JSON as data', async () => {
    const events = await lastValueFrom(
      from([
        { type: 'message_stop' as const },
        { type: 'content_block_stop' as const, index: 2 },
      ]).pipe(toSseEvents(), toArray()),
    );
    expect(events).toEqual([
      { event: 'message_stop', data: '{"type":"message_stop"}' },
      { event: 'content_block_stop', data: '{"type":"content_block_stop","index":2}' },
    ]);
  });
});

describe('inBandAnthropicError', () => {
  const failure = new GatewayException(ErrorCode.UpstreamError, 'The upstream stream broke off.');
  const source = concat(
    of<SseEvent>({ event: 'message_start', data: '{}' }),
    throwError(() => failure),
  );

  it('ends an open stream with an error event in Anthropic’s envelope, recorded once', async () => {
    const renderError = jest.fn();
    const events = await lastValueFrom(
      source.pipe(inBandAnthropicError({ renderError }, { opened: true }), toArray()),
    );
    expect(events).toEqual([
      { event: 'message_start', data: '{}' },
      {
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          error: { type: 'api_error', message: 'The upstream stream broke off.' },
        }),
      },
    ]);
    expect(renderError).toHaveBeenCalledTimes(1);
    expect(renderError).toHaveBeenCalledWith(failure);
  });

  it('lets a failure before the response opened pass on, for the filter to answer with a status', async () => {
    const renderError = jest.fn();
    await expect(
      lastValueFrom(source.pipe(inBandAnthropicError({ renderError }, { opened: false }))),
    ).rejects.toBe(failure);
    expect(renderError).not.toHaveBeenCalled();
  });
});
