import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../../config';
import { GatewayTool } from '../gateway-tool.decorator';
import type { ToolContext, ToolResult } from '../gateway-tool.interface';
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

/**
 * `web_search`: queries a SearxNG-compatible JSON endpoint (`GET <endpoint>?q=…&format=json`,
 * answering `{ results: [{ title, url, content }] }`) and returns trimmed titles, URLs and
 * snippets. Registered only when `tools.web_search.endpoint` is configured.
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
  private readonly maxResults: number;

  constructor(config: ConfigService<GatewayConfig, true>) {
    const tools = config.get('tools', { infer: true });
    this.endpoint = tools.webSearch.endpoint;
    this.maxResults = tools.webSearch.maxResults;
    this.enabled = tools.builtin.webSearch.enabled && this.endpoint !== undefined;
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  async execute({ query }: WebSearchArgs, { signal }: ToolContext): Promise<ToolResult> {
    const url = new URL(this.endpoint as string);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    let response: Response;
    try {
      response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new Error(BuiltinToolMessages.searchUnreachable(), { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(BuiltinToolMessages.searchFailed(response.status));
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new Error(BuiltinToolMessages.searchMalformed());
    }
    const results = (body as { results?: unknown } | null)?.results;
    if (!Array.isArray(results)) throw new Error(BuiltinToolMessages.searchMalformed());
    const hits: SearchHit[] = [];
    for (const item of results) {
      if (hits.length >= this.maxResults) break;
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
