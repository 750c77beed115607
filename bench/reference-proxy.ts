/**
 * The floor the gateway is compared with in `--only ref`: the least a Node proxy does for the
 * same request (parse the JSON body, set the upstream model, forward it with undici, parse the
 * answer, send it back) and nothing else: no validation, routing, auth, headers or abort
 * handling. Two flavours: `http` (node:http) and `fastify` (Fastify 5, as the gateway uses).
 * Bench-only; it shows what the framework and the gateway's own work cost, not a design.
 *
 *   node .tools/bench/reference-proxy.js --kind http|fastify --upstream http://127.0.0.1:8101 \
 *     --model sim-instant --port 9400
 */
import fastify from 'fastify';
import * as http from 'node:http';
import { Pool } from 'undici';

interface Args {
  kind: 'http' | 'fastify';
  upstream: string;
  model: string;
  port: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`--${name} is required`);
    return argv[i + 1];
  };
  const kind = get('kind');
  if (kind !== 'http' && kind !== 'fastify') throw new Error('--kind must be http or fastify');
  return { kind, upstream: get('upstream'), model: get('model'), port: Number(get('port')) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const pool = new Pool(args.upstream, { connections: 1100, pipelining: 1 });
  const forward = async (body: Record<string, unknown>): Promise<string> => {
    const res = await pool.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: args.model }),
    });
    const text = await res.body.text();
    JSON.parse(text);
    return text;
  };

  if (args.kind === 'http') {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        forward(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>).then(
          (text) => {
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
            });
            res.end(text);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      });
    });
    server.listen(args.port, '127.0.0.1', () => console.log(`reference ${args.kind} listening`));
    return;
  }
  const app = fastify();
  app.post('/v1/chat/completions', async (request, reply) => {
    const text = await forward(request.body as Record<string, unknown>);
    return reply.type('application/json').send(text);
  });
  await app.listen({ port: args.port, host: '127.0.0.1' });
  console.log(`reference ${args.kind} listening`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message ?? error);
  process.exit(1);
});
