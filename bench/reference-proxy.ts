/**
 * The floor every gateway figure of `npm run bench` is a ratio to: the thinnest honest Node proxy
 * doing the gateway's job for one chat request, and nothing more. It checks the bearer key, parses
 * the JSON body, sets the upstream model id, re-serialises, forwards on an undici keep-alive pool,
 * pipes the answer (whole or streamed) back byte for byte, and aborts the upstream request when
 * the caller leaves. No validation, routing, limits, logs, metrics or traces. Bench-only.
 *
 *   node .tools/bench/reference-proxy.js --upstream http://127.0.0.1:8101 --model sim-instant \
 *     --key tg-bench-key --port 9400
 */
import * as http from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

interface Args {
  upstream: string;
  model: string;
  key: string;
  port: number;
}

const CHAT_PATH = '/v1/chat/completions';

function parseArgs(argv: string[]): Args {
  const get = (name: string): string => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`--${name} is required`);
    return argv[i + 1];
  };
  return {
    upstream: get('upstream'),
    model: get('model'),
    key: get('key'),
    port: Number(get('port')),
  };
}

function fail(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`{"error":{"code":${status}}}`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const expected = `Bearer ${args.key}`;
  const pool = new Pool(args.upstream, { connections: 8192, pipelining: 1 });

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== CHAT_PATH) return fail(res, 404);
    if (req.headers.authorization !== expected) return fail(res, 401);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return fail(res, 400);
      }
      body.model = args.model;
      // The caller leaving (before or during the answer) aborts the upstream request.
      const abort = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      pool
        .request({
          method: 'POST',
          path: CHAT_PATH,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: abort.signal,
        })
        .then(
          (up) => {
            const headers: http.OutgoingHttpHeaders = {
              'content-type': up.headers['content-type'] ?? 'application/json',
            };
            const length = up.headers['content-length'];
            if (typeof length === 'string') headers['content-length'] = length;
            res.writeHead(up.statusCode, headers);
            pipeline(up.body, res, () => undefined);
          },
          () => {
            if (!res.headersSent) fail(res, 502);
            else res.destroy();
          },
        );
    });
  });
  server.keepAliveTimeout = 65_000;
  // The gateway's accept queue holds a burst of thousands of connections (src/main.ts); so does
  // the floor's (the kernel caps it at net.core.somaxconn).
  server.listen({ port: args.port, host: '127.0.0.1', backlog: 65_535 }, () =>
    console.log('floor listening'),
  );
}

main();
