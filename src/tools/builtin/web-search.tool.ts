import { Inject } from '@nestjs/common';
import type { WebSearchConfig } from '../../config';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolContext, ToolResult } from '../gateway-tool.interface';
import { TOOLS_CONFIG, type ToolsSlice } from '../tools.config';
import { BuiltinToolMessages } from './builtin-tools.messages';

export interface WebSearchArgs {
  query: string;
}

export interface SearchHit {
  title: string;
  url: string;
  snippet: string;
}

const MAX_TITLE_CHARS = 200;
const MAX_SNIPPET_CHARS = 400;
const MAX_URL_CHARS = 2048;
/** Redirects followed (each to the endpoint's host or a configured one) before giving up. */
const MAX_REDIRECTS = 3;

/**
 * `web_search`: queries a SearxNG-compatible JSON endpoint (`GET <endpoint>?q=…&format=json`,
 * answering `{ results: [{ title, url, content }] }`) and returns trimmed titles, URLs and
 * snippets. Registered only when `tools.web_search.endpoint` is configured.
 *
 * Bounded (issue 13, finding 13): one deadline (`timeout_ms`) covers connecting, redirects and
 * the body; redirects stay on the endpoint's host unless `redirect_hosts` names another; the
 * body is read up to `max_body_bytes` and refused beyond.
 */
@GatewayTool({
  name: 'web_search',
  description:
    'Searches the web and returns the top results (title, URL, snippet). Use it for recent ' +
    'events and facts you are unsure of; cite the URLs you rely on.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 400, description: 'The search query.' },
    },
    required: ['query'],
    additionalProperties: false,
  },
})
export class WebSearchTool implements GatewayTool<WebSearchArgs> {
  private readonly endpoint: string | undefined;
  private readonly enabled: boolean;
  private readonly settings: WebSearchConfig;
  private readonly redirectHosts: ReadonlySet<string>;

  constructor(@Inject(TOOLS_CONFIG.token) { tools }: ToolsSlice) {
    this.settings = tools.webSearch;
    this.endpoint = tools.webSearch.endpoint;
    this.enabled = tools.builtin.webSearch.enabled && this.endpoint !== undefined;
    // Lower-cased by the configuration loader.
    this.redirectHosts = new Set(this.settings.redirectHosts);
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  async execute({ query }: WebSearchArgs, { signal }: ToolContext): Promise<ToolResult> {
    const url = new URL(this.endpoint as string);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const bounded = AbortSignal.any([signal, deadline]);
    let body: unknown;
    try {
      const text = await this.fetchText(url, bounded);
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(BuiltinToolMessages.searchMalformed());
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (deadline.aborted)
        throw new Error(BuiltinToolMessages.searchTimedOut(this.settings.timeoutMs));
      throw error;
    }
    const results = (body as { results?: unknown } | null)?.results;
    if (!Array.isArray(results)) throw new Error(BuiltinToolMessages.searchMalformed());
    const hits: SearchHit[] = [];
    for (const item of results) {
      if (hits.length >= this.settings.maxResults) break;
      const hit = item as { title?: unknown; url?: unknown; content?: unknown };
      if (typeof hit?.url !== 'string' || !/^https?:\/\//i.test(hit.url)) continue;
      hits.push({
        title: trim(hit.title, MAX_TITLE_CHARS),
        url: hit.url.slice(0, MAX_URL_CHARS),
        snippet: trim(hit.content, MAX_SNIPPET_CHARS),
      });
    }
    return { query, results: hits };
  }

  /** GETs `start`, following allowed redirects by hand, and reads the body within the cap. */
  private async fetchText(start: URL, signal: AbortSignal): Promise<string> {
    let url = start;
    for (let hop = 0; ; hop++) {
      let response: Response;
      try {
        response = await fetch(url, {
          signal,
          redirect: 'manual',
          headers: { accept: 'application/json' },
        });
      } catch (error) {
        throw new Error(BuiltinToolMessages.searchUnreachable(), { cause: error });
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (hop >= MAX_REDIRECTS || !this.mayRedirectTo(next)) {
          throw new Error(BuiltinToolMessages.searchRedirected(next.host));
        }
        url = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(BuiltinToolMessages.searchFailed(response.status));
      }
      return readCapped(response, this.settings.maxBodyBytes);
    }
  }

  private mayRedirectTo(next: URL): boolean {
    if (next.protocol !== 'http:' && next.protocol !== 'https:') return false;
    const endpoint = new URL(this.endpoint as string);
    return next.host === endpoint.host || this.redirectHosts.has(next.hostname.toLowerCase());
  }
}

/** The body as text, refused (and the stream cancelled) past `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(BuiltinToolMessages.searchTooLarge(maxBytes));
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(BuiltinToolMessages.searchTooLarge(maxBytes));
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Collapses whitespace and cuts at a word boundary with an ellipsis. */
function trim(value: unknown, max: number): string {
  if (typeof value !== 'string') return '';
  const text = value.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
