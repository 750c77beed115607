/** Texts of the classifiers' errors and logs, so tests assert on the words operators read. */
export const ClassifierMessages = {
  badArtifact: (problem: string) => `The learned tier model cannot be loaded: ${problem}.`,
  unknownStep: (name: string) => `Unknown classifier '${name}' in routing.classifiers.`,
  semanticUnbound: () =>
    "The 'semantic' classifier is configured but no embeddings port is bound; it will abstain.",
  semanticWarmupFailed: (detail: string) =>
    `The 'semantic' classifier could not embed its exemplars (${detail}); it abstains and retries later.`,
  semanticReady: (centroids: number, ms: number) =>
    `The 'semantic' classifier is ready: ${centroids} centroids embedded in ${ms} ms.`,
  cascadeOrder: (steps: readonly string[], threshold: number) =>
    `Tier cascade: hint:reasoning_effort -> ${steps.length ? steps.join(' -> ') : '(no classifiers)'} -> default (thinking threshold ${threshold}).`,
} as const;
