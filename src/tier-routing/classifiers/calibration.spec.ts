import {
  DEFAULT_TRAIN_OPTIONS,
  featurise,
  plattScaling,
  prng,
  trainLearned,
  type LabeledPrompt,
} from '../../../scripts/classifier/trainer';
import { COMMITTED_LEARNED_MODEL } from './learned.classifier';
import { LearnedScorer } from './learned-model';
import { analyseText } from './text-features';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('Platt scaling of the learned logit', () => {
  it('recovers the scale and shift that generated the labels', () => {
    const random = prng(7);
    const z: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = random() * 8 - 4;
      z.push(x);
      y.push(random() < sigmoid(2 * x - 1) ? 1 : -1);
    }
    const { scale, shift } = plattScaling(z, y);
    expect(scale).toBeGreaterThan(1.7);
    expect(scale).toBeLessThan(2.3);
    expect(shift).toBeGreaterThan(-1.3);
    expect(shift).toBeLessThan(-0.7);
  });

  it('leaves an already calibrated score alone', () => {
    const random = prng(11);
    const z: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = random() * 8 - 4;
      z.push(x);
      y.push(random() < sigmoid(x) ? 1 : -1);
    }
    const { scale, shift } = plattScaling(z, y);
    expect(scale).toBeCloseTo(1, 0);
    expect(Math.abs(shift)).toBeLessThan(0.2);
  });
});

describe('training with calibration', () => {
  // Two kinds of task, several templates each: the inner folds hold templates out.
  const rows: LabeledPrompt[] = [];
  const instant = [
    'What is the capital of {x}?',
    'Translate "{x}" into Spanish.',
    'Say hello to {x}.',
    'Who painted a portrait of {x}?',
  ];
  const thinking = [
    'Prove that {x} has infinitely many solutions, step by step.',
    'Design an algorithm for {x} and explain its complexity.',
    'How many ways can {x} people sit at a round table if two refuse to sit together?',
    'Find the bug that makes {x} deadlock under load and prove the fix correct.',
  ];
  const fillers = ['Peru', 'Lena', 'the router', 'seven', 'Kenya', 'Omar', 'the queue', 'twelve'];
  for (const [label, templates] of [
    ['instant', instant],
    ['thinking', thinking],
  ] as const) {
    templates.forEach((t, i) =>
      fillers.forEach((f, j) =>
        rows.push({
          id: `${label}-${i}-${j}`,
          prompt: t.replace('{x}', f),
          label,
          kind: label,
          lang: 'en',
          family: `${label}/${i}`,
        }),
      ),
    );
  }
  const data = featurise(rows);
  const options = { ...DEFAULT_TRAIN_OPTIONS, minDf: 2 };

  it('maps the uncalibrated logit to scale · z + shift, folded into the weights', () => {
    const raw = new LearnedScorer(trainLearned(data, { ...options, calibrationFolds: 0 }));
    const artifact = trainLearned(data, { ...options, calibrationFolds: 3 });
    const calibration = artifact.training.calibration as { scale: number; shift: number };
    expect(calibration.scale).toBeGreaterThan(0);
    const calibrated = new LearnedScorer(artifact);
    for (const text of ['What is the capital of Chile?', 'Prove that the sum is even.']) {
      const f = analyseText(text);
      expect(calibrated.logit(f)).toBeCloseTo(
        calibration.scale * raw.logit(f) + calibration.shift,
        3,
      );
    }
  });

  it('is what the committed model was trained with', () => {
    expect(COMMITTED_LEARNED_MODEL.training.calibration).toEqual(
      expect.objectContaining({ scale: expect.any(Number), shift: expect.any(Number) }),
    );
  });
});
