import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ErrorCode, OpenAiExceptionFilter } from '../../common/errors';
import { OpenAiValidationPipe } from '../../common/openai';
import type { RoutingConfig } from '../../config/gateway-config.interface';
import { CascadeClassifier } from './cascade.classifier';
import { EMBEDDINGS_PORT, type EmbeddingsPort } from './classifiers.constants';
import { TierClassifiersModule } from './classifiers.module';
import { TIER_CLASSIFIER, type TierClassifier } from './tier-classifier.interface';

const routing: RoutingConfig = {
  defaultModel: 'auto',
  defaultTier: 'instant',
  classifiers: ['learned', 'rules'],
  thinkingThreshold: 0.5,
  steps: { learned: { minConfidence: 0.6 }, rules: { minConfidence: 0.6 } },
  semanticBudgetMs: 20,
};

const configModule = () =>
  ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: [() => ({ routing })],
  });

describe('TierClassifiersModule', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));

  it('compiles standalone and binds TIER_CLASSIFIER to the cascade', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [configModule(), TierClassifiersModule],
    }).compile();
    const classifier = moduleRef.get<TierClassifier>(TIER_CLASSIFIER);
    expect(classifier).toBe(moduleRef.get(CascadeClassifier));
    const verdict = await classifier.classify({
      messages: [{ role: 'user', content: 'Prove that 17 is prime.' }],
    });
    expect(verdict).toEqual(expect.objectContaining({ tier: 'thinking' }));
    await moduleRef.close();
  });

  it('binds the embeddings port through register()', async () => {
    const port: EmbeddingsPort = async (inputs) => inputs.map(() => [1, 0]);
    const moduleRef = await Test.createTestingModule({
      imports: [configModule(), TierClassifiersModule.register({ embeddings: { useValue: port } })],
    }).compile();
    expect(moduleRef.get(EMBEDDINGS_PORT)).toBe(port);
    await moduleRef.close();
  });

  describe('POST /v1/route', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [configModule(), TierClassifiersModule],
      }).compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
      app.useGlobalFilters(new OpenAiExceptionFilter(1 << 20));
      app.useGlobalPipes(new OpenAiValidationPipe());
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app.close());

    const post = (payload: unknown) =>
      app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'POST', url: '/v1/route', payload: payload as object });

    it('returns the full decision without calling any model', async () => {
      const res = await post({
        model: 'auto',
        messages: [{ role: 'user', content: 'Translate into Italian: "See you tomorrow."' }],
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual(
        expect.objectContaining({
          tier: 'instant',
          reason: expect.stringMatching(/^classifier:learned:\d\.\d\d$/),
          model: 'auto',
          steps: expect.any(Array),
          features: expect.arrayContaining([expect.objectContaining({ name: 'cue_rewrite' })]),
        }),
      );
    });

    it('answers 400 in the OpenAI envelope when messages are missing', async () => {
      const res = await post({ model: 'auto' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: expect.objectContaining({
          type: 'invalid_request_error',
          param: 'messages',
          code: ErrorCode.MissingField,
        }),
      });
    });
  });
});
