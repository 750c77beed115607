import { GatewayException } from '../common/errors';
import { ModelCatalogService } from './model-catalog.service';

function catalog(
  defaultModel = 'auto',
  withThinking = true,
  embeddingsModel?: string,
): ModelCatalogService {
  const tier = (name: string, model: string) => ({
    name,
    pool: name,
    model,
    reasoning: 'passthrough',
    timeouts: { requestMs: 1000 },
  });
  return new ModelCatalogService({
    tiers: {
      instant: tier('instant', 'Qwen/Qwen2.5-7B'),
      ...(withThinking ? { thinking: tier('thinking', 'Qwen/QwQ-32B') } : {}),
    },
    aliases: {
      'gpt-4o-mini': { tier: 'instant', truncate: 'none' },
      'o3-mini': { tier: 'thinking', truncate: 'none' },
    },
    routing: { defaultModel },
    ...(embeddingsModel
      ? { embeddings: { pool: 'embeddings', model: embeddingsModel, timeouts: {} } }
      : {}),
  } as never);
}

describe('ModelCatalogService', () => {
  it.each([
    ['instant', { kind: 'tier', tier: 'instant', reason: 'model:instant' }],
    ['thinking', { kind: 'tier', tier: 'thinking', reason: 'model:thinking' }],
    ['auto', { kind: 'auto' }],
    ['gpt-4o-mini', { kind: 'tier', tier: 'instant', reason: 'alias:gpt-4o-mini' }],
    ['Qwen/QwQ-32B', { kind: 'tier', tier: 'thinking', reason: 'model:Qwen/QwQ-32B' }],
    [undefined, { kind: 'auto' }],
  ])('resolves %s', (model, target) => {
    expect(catalog().resolve(model)).toMatchObject(target);
  });

  it('uses the configured default model when the request names none', () => {
    expect(catalog('thinking').resolve(undefined)).toMatchObject({
      kind: 'tier',
      tier: 'thinking',
    });
  });

  it('404s an unknown model with the list of names', () => {
    try {
      catalog().resolve('gpt-5');
      throw new Error('expected a 404');
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayException);
      const body = (error as GatewayException).toBody();
      expect((error as GatewayException).status).toBe(404);
      expect(body.error.code).toBe('model_not_found');
      expect(body.error.message).toContain('instant, thinking');
      expect(body.error.message).toContain('Qwen/QwQ-32B');
    }
  });

  it('lists only configured tiers', () => {
    const ids = catalog('auto', false)
      .list()
      .map((m) => m.id);
    expect(ids).toContain('instant');
    expect(ids).not.toContain('thinking');
    expect(ids).not.toContain('Qwen/QwQ-32B');
  });

  it('lists instant, thinking, auto, the aliases, the pool model ids and the embeddings names', () => {
    expect(
      catalog('auto', true, 'BAAI/bge-m3')
        .list()
        .map((m) => [m.id, m.tier]),
    ).toEqual([
      ['auto', 'auto'],
      ['instant', 'instant'],
      ['thinking', 'thinking'],
      ['gpt-4o-mini', 'instant'],
      ['o3-mini', 'thinking'],
      ['Qwen/Qwen2.5-7B', 'instant'],
      ['Qwen/QwQ-32B', 'thinking'],
      ['embeddings', 'embeddings'],
      ['BAAI/bge-m3', 'embeddings'],
    ]);
  });

  it('describes the embeddings names, which a chat request may not use', () => {
    const withEmbeddings = catalog('auto', true, 'BAAI/bge-m3');
    expect(withEmbeddings.describe('embeddings')).toMatchObject({
      id: 'embeddings',
      tier: 'embeddings',
    });
    expect(withEmbeddings.describe('BAAI/bge-m3')).toMatchObject({ tier: 'embeddings' });
    expect(() => withEmbeddings.resolve('embeddings')).toThrow(GatewayException);
    expect(withEmbeddings.names()).not.toContain('embeddings');
    expect(() => catalog().describe('embeddings')).toThrow(GatewayException);
  });
});
