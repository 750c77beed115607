/** Texts of the Anthropic front's own errors, so tests assert on the words callers read. */
export const AnthropicMessages = {
  required: (path: string) => `${path}: Field required.`,
  wrongType: (path: string, expected: string) => `${path}: Input should be ${expected}.`,
  unknownField: (path: string) => `${path}: Extra inputs are not permitted.`,
  unsupportedField: (path: string, why: string) =>
    `${path}: not supported by this gateway (${why}).`,
  unsupportedBlock: (path: string, type: string, why: string) =>
    `${path}: content blocks of type '${type}' are not supported by this gateway (${why}).`,
  blockNotAllowed: (path: string, type: string, role: string) =>
    `${path}: a '${type}' block cannot appear in a message with role '${role}'.`,
  unknownBlock: (path: string, type: string) => `${path}: unknown content block type '${type}'.`,
  emptyMessages: () => 'messages: at least one message is required.',
  budgetTooSmall: (min: number) => `thinking.budget_tokens: must be at least ${min}.`,
  budgetNotBelowMax: (budget: number, max: number) =>
    `thinking.budget_tokens: must be less than max_tokens (${budget} >= ${max}).`,
  unknownToolChoice: (name: string) =>
    `tool_choice.name: '${name}' is not the name of a tool in 'tools'.`,
  toolChoiceWithoutTools: () => `tool_choice: requires 'tools'.`,
  toolArgumentsNotJson: (name: string) =>
    `The model's call of tool '${name}' has arguments that are not a JSON object.`,
  outOfOrderToolDelta: (index: number) =>
    `The upstream stream continued tool call ${index} after a later block had started.`,
} as const;
