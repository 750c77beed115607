import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSearchConfig } from '../../config';
import type { ToolsSlice } from '../tools.config';
import { BuiltinToolMessages as M } from './builtin-tools.messages';
import { WebSearchTool } from './web-search.tool';

function searchTool(
  endpoint: string | undefined,
  enabled = true,
  maxResults = 2,
  bounds: Partial<WebSearchConfig> = {},
): WebSearchTool {
  const webSearch = {
    endpoint,
    maxResults,
    timeoutMs: 2000,
    maxBodyBytes: 64 * 1024,
    redirectHosts: [],
    ...bounds,
  };
  const config = {
    tools: { builtin: { webSearch: { enabled } }, webSearch },
  } as unknown as ToolsSlice;
  return new WebSearchTool(config);
}

describe('WebSearchTool', () => {
  let server: Server;
  let endpoint: string;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/search`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen.length = 0));

  const context = () => ({ signal: new AbortController().signal, requestId: 'test' });
  const json =
    (body: unknown, status = 200) =>
    (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };

  it('queries the SearxNG JSON API and returns trimmed results, at most max_results', async () => {
    handle = json({
      query: 'nest',
      results: [
        {
          title: '  NestJS \n docs ',
          url: 'https://docs.nestjs.com',
          content: 'A progressive framework',
        },
        { title: 'Long', url: 'https://x.example', content: 'word '.repeat(200) },
        { title: 'Third', url: 'https://third.example', content: 'dropped: over max_results' },
      ],
    });
    const result = (await searchTool(endpoint).execute({ query: 'nest js' }, context())) as {
      query: string;
      results: { title: string; url: string; snippet: string }[];
    };
    expect(seen).toEqual(['/search?q=nest+js&format=json']);
    expect(result.query).toBe('nest js');
    expect(result.results).toHaveLength(2);
    expect(result.results[0]).toEqual({
      title: 'NestJS docs',
      url: 'https://docs.nestjs.com',
      snippet: 'A progressive framework',
    });
    expect(result.results[1].snippet.length).toBeLessThanOrEqual(400);
    expect(result.results[1].snippet.endsWith('…')).toBe(true);
  });

  it('skips results without an http(s) URL', async () => {
    handle = json({
      results: [
        { title: 'x', url: 'javascript:alert(1)' },
        { title: 'ok', url: 'http://ok' },
      ],
    });
    const result = (await searchTool(endpoint).execute({ query: 'q' }, context())) as {
      results: unknown[];
    };
    expect(result.results).toEqual([{ title: 'ok', url: 'http://ok', snippet: '' }]);
  });

  it.each([
    ['an HTTP error', json({ error: 'x' }, 503), M.searchFailed(503)],
    ['a body that is not search results', json({ nothing: true }), M.searchMalformed()],
    [
      'a body that is not JSON',
      (_req: IncomingMessage, res: ServerResponse) => res.end('<html>'),
      M.searchMalformed(),
    ],
  ])('reports %s as an error for the model', async (_name, handler, message) => {
    handle = handler;
    await expect(searchTool(endpoint).execute({ query: 'q' }, context())).rejects.toThrow(message);
  });

  it('reports an unreachable endpoint', async () => {
    await expect(
      searchTool('http://127.0.0.1:1/search').execute({ query: 'q' }, context()),
    ).rejects.toThrow(M.searchUnreachable());
  });

  it('gives up when the request is aborted', async () => {
    handle = () => undefined; // never answers
    const controller = new AbortController();
    const pending = searchTool(endpoint).execute(
      { query: 'q' },
      { signal: controller.signal, requestId: 'test' },
    );
    setTimeout(() => controller.abort(new Error('caller left')), 50);
    await expect(pending).rejects.toThrow('caller left');
    server.closeAllConnections();
  });

  describe('bounded (issue 13)', () => {
    // Earlier tests leave pooled sockets the server has closed; let the client notice first.
    beforeEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    const redirect =
      (location: string, status = 302) =>
      (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(status, { location });
        res.end();
      };
    const results = { results: [{ title: 'r', url: 'https://r.example', content: 'ok' }] };
    /** The same server under another host name: a redirect there leaves the endpoint's host. */
    const elsewhere = () => endpoint.replace('127.0.0.1', 'localhost');

    it('follows a redirect on the endpoint’s own host', async () => {
      handle = (req, res) =>
        req.url?.startsWith('/search')
          ? redirect('/v2/search?q=q')(req, res)
          : json(results)(req, res);
      await expect(searchTool(endpoint).execute({ query: 'q' }, context())).resolves.toMatchObject({
        results: [{ url: 'https://r.example' }],
      });
      expect(seen).toEqual(['/search?q=q&format=json', '/v2/search?q=q']);
    });

    it('refuses a redirect to another host, unless redirect_hosts names it', async () => {
      handle = (req, res) =>
        req.url?.startsWith('/search')
          ? redirect(`${elsewhere().replace('/search', '/moved')}`)(req, res)
          : json(results)(req, res);
      await expect(searchTool(endpoint).execute({ query: 'q' }, context())).rejects.toThrow(
        M.searchRedirected(new URL(elsewhere()).host),
      );
      expect(seen).toEqual(['/search?q=q&format=json']);
      const allowed = searchTool(endpoint, true, 2, { redirectHosts: ['localhost'] });
      await expect(allowed.execute({ query: 'q' }, context())).resolves.toMatchObject({
        results: [{ url: 'https://r.example' }],
      });
    });

    it('stops after a few redirects', async () => {
      handle = (req, res) => redirect(`/hop${seen.length}`)(req, res);
      await expect(searchTool(endpoint).execute({ query: 'q' }, context())).rejects.toThrow(
        /redirected/,
      );
      expect(seen).toHaveLength(4);
    });

    it.each([
      ['declared in content-length', false],
      ['streamed without a length', true],
    ])('drops a body over max_body_bytes (%s)', async (_case, chunked) => {
      const big = JSON.stringify({ results: [], pad: 'x'.repeat(10_000) });
      handle = (_req, res) => {
        res.writeHead(200, chunked ? {} : { 'content-length': String(big.length) });
        if (chunked) for (let i = 0; i < big.length; i += 1000) res.write(big.slice(i, i + 1000));
        res.end(chunked ? '' : big);
      };
      const tool = searchTool(endpoint, true, 2, { maxBodyBytes: 4096 });
      await expect(tool.execute({ query: 'q' }, context())).rejects.toThrow(M.searchTooLarge(4096));
    });

    it('gives up at timeout_ms even while the body trickles in', async () => {
      handle = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"results": [');
        const drip = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(drip));
      };
      const started = Date.now();
      const tool = searchTool(endpoint, true, 2, { timeoutMs: 300 });
      await expect(tool.execute({ query: 'q' }, context())).rejects.toThrow(M.searchTimedOut(300));
      expect(Date.now() - started).toBeLessThan(2000);
      server.closeAllConnections();
    });
  });

  it('is absent without an endpoint, and switchable', () => {
    expect(searchTool(undefined).isEnabled()).toBe(false);
    expect(searchTool(endpoint, false).isEnabled()).toBe(false);
    expect(searchTool(endpoint, true).isEnabled()).toBe(true);
  });
});
