import { ApiError, ConsoleApi } from './client';

interface Seen {
  input: string;
  init: RequestInit;
}

/** A fetch that records each call and answers `status` with `body`. */
function fakeFetch(status: number, body: unknown) {
  const seen: Seen[] = [];
  const impl = async (input: string, init: RequestInit): Promise<Response> => {
    seen.push({ input, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
  return { seen, impl };
}

describe('ConsoleApi', () => {
  it('calls the page origin with the key as a bearer header only, never in the URL or a cookie', async () => {
    const { seen, impl } = fakeFetch(200, { object: 'analytics' });
    await new ConsoleApi('tg-admin-secret', impl).analytics('5m', 'replica');
    expect(seen).toHaveLength(1);
    expect(seen[0].input).toBe('/v1/analytics?window=5m&by=replica');
    expect(seen[0].input).not.toContain('tg-admin-secret');
    expect(seen[0].init.method).toBe('GET');
    expect(seen[0].init.credentials).toBe('omit');
    expect((seen[0].init.headers as Record<string, string>).authorization).toBe(
      'Bearer tg-admin-secret',
    );
  });

  it('posts the route explainer as an auto chat request with one user message', async () => {
    const { seen, impl } = fakeFetch(200, { tier: 'instant' });
    await expect(new ConsoleApi('k', impl).route('hello')).resolves.toEqual({ tier: 'instant' });
    expect(seen[0].input).toBe('/v1/route');
    expect(seen[0].init.method).toBe('POST');
    expect(JSON.parse(seen[0].init.body as string)).toEqual({
      model: 'auto',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect((seen[0].init.headers as Record<string, string>)['content-type']).toBe(
      'application/json',
    );
  });

  it('escapes pool and replica ids in the probe path', async () => {
    const { seen, impl } = fakeFetch(200, { id: 'r' });
    await new ConsoleApi('k', impl).probe('pool/a', 'http://h:1#x');
    expect(seen[0].input).toBe('/v1/providers/pool%2Fa/replicas/http%3A%2F%2Fh%3A1%23x/probe');
    expect(seen[0].init.method).toBe('POST');
  });

  it('fails with the envelope of an error answer', async () => {
    const envelope = {
      error: {
        message: 'Admin only.',
        type: 'permission_error',
        param: null,
        code: 'admin_required',
      },
    };
    const { impl } = fakeFetch(403, envelope);
    const error = await new ConsoleApi('k', impl).providers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).failure).toEqual({
      status: 403,
      code: 'admin_required',
      message: 'Admin only.',
      call: 'GET /v1/providers',
    });
  });

  it('takes /health 503 as data: it is the health report of a gateway that cannot serve', async () => {
    const { impl } = fakeFetch(503, { status: 'error', details: {} });
    await expect(new ConsoleApi('k', impl).health()).resolves.toEqual({
      status: 'error',
      details: {},
    });
  });

  it('fails with status 0 when the gateway does not answer, and with the status when the answer is not JSON', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch');
    };
    const error = await new ConsoleApi('k', down).usage().catch((e: unknown) => e);
    expect((error as ApiError).failure).toEqual({
      status: 0,
      code: null,
      message: 'Failed to fetch',
      call: 'GET /v1/usage',
    });
    const { impl } = fakeFetch(200, 'not json');
    const notJson = await new ConsoleApi('k', impl).usage().catch((e: unknown) => e);
    expect((notJson as ApiError).failure.message).toBe('the answer is not JSON');
  });

  it('lets an abort through as it is, not as a failure of the gateway', async () => {
    const controller = new AbortController();
    const aborting = async (): Promise<Response> => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    };
    const error = await new ConsoleApi('k', aborting)
      .usage(controller.signal)
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).name).toBe('AbortError');
  });
});
