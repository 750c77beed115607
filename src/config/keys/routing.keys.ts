import { choiceList, decimal, ms, oneOf, section, text } from '../config-key.builders';
import { CLASSIFIER_NAMES, TIER_NAMES, type ClassifierName } from '../config.constants';

/** A step answers only when its confidence in its own answer is at least `minConfidence`. */
const step = (minConfidence: number, doc?: string) =>
  section(
    {
      minConfidence: decimal(0.5, 1, { default: minConfidence, doc }),
    },
    // A step missing from the file uses its own default confidence.
    { optional: true, absent: 'defaults', name: 'ClassifierStepSchema' },
  );

/** `routing`: how `auto` picks a tier. */
export const ROUTING_KEYS = section(
  {
    /** The model used when a request names none. */
    defaultModel: text({
      default: 'auto',
      env: 'ROUTING_DEFAULT_MODEL',
      values: '`auto`, a tier, an alias, a model id',
      doc: 'the model of a request that names none',
    }),
    /** Where `auto` goes when no classifier step decides (set after validation when unset). */
    defaultTier: oneOf(TIER_NAMES, {
      optional: true,
      values: 'a configured tier',
      defaultDoc: '`instant` when configured, else `thinking`',
      doc: 'where `auto` goes when no classifier step decides',
    }),
    /** Cascade order of the classifier steps after the explicit model and the `reasoning_effort` hint. */
    classifiers: choiceList(CLASSIFIER_NAMES, {
      default: ['learned', 'rules'],
      values: 'ordered subset of `rules`, `learned`, `semantic`',
      defaultDoc: '`[learned, rules]`',
      doc: 'the cascade after an explicit model and the `reasoning_effort` hint ([routing.md](routing.md))',
    }),
    /** Probability of "thinking" at or above which a scoring classifier says thinking (RouteLLM-style knob). */
    thinkingThreshold: decimal(0, 1, {
      default: 0.5,
      doc: 'probability of "thinking" at or above which a scoring step says thinking',
    }),
    steps: section(
      {
        // `rules` closes the default cascade, so it answers whenever it leans either way.
        rules: step(
          0.5,
          'a step answers only at this confidence, else the next step decides (the default ' +
            "cascade's last step, `rules`, answers whenever it leans either way)",
        ),
        // On held-out data the learned lean beats the rules on the prompts it is unsure of
        // (docs/routing.md), so by default it decides every request; raise it to hand those to `rules`.
        learned: step(
          0.5,
          'by default `learned` decides every request: on held-out data its lean beats the ' +
            '`rules` fallback ([routing.md](routing.md))',
        ),
        semantic: step(0.6),
      },
      {
        name: 'ClassifierStepsSchema',
        // Typed as partial so that callers may configure a cascade by its steps alone.
        resolve: (steps): Partial<Record<ClassifierName, { minConfidence: number }>> => steps,
      },
    ),
    /** The `semantic` step's time budget per request (it abstains past it). */
    semanticBudgetMs: ms(1, {
      default: 20,
      doc: 'time budget of the semantic step per request; it abstains past it',
    }),
  },
  { name: 'RoutingSchema' },
);

/** `streaming`: what the gateway writes on a quiet stream. */
export const STREAMING_KEYS = section(
  {
    /** A `: ping` comment is written after this long without any byte to the caller. */
    heartbeatMs: ms(1, {
      default: 15_000,
      env: 'STREAM_HEARTBEAT_MS',
      doc: 'a `: ping` SSE comment after this long without a byte to the caller',
    }),
  },
  { name: 'StreamingSchema' },
);
