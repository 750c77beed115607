/**
 * Texts of the tools module: boot failures (for operators), results the model reads, and log
 * lines. Specs assert on the same words.
 */
export const ToolMessages = {
  // Start-up: each stops the boot.
  invalidName: (name: string, owner: string): string =>
    `Tool ${owner}: the name "${name}" must be 1-64 letters, digits, '_' or '-'.`,
  duplicateName: (name: string, first: string, second: string): string =>
    `Tools ${first} and ${second} are both named "${name}"; tool names must be unique.`,
  notSingleton: (name: string, owner: string): string =>
    `Tool "${name}" (${owner}) must be a singleton provider: request-scoped or transient tools are not supported.`,
  noExecute: (name: string, owner: string): string =>
    `Tool "${name}" (${owner}) has no execute() method.`,
  schemaNotObject: (name: string): string =>
    `Tool "${name}": its parameters schema must describe an object (type: 'object').`,
  invalidSchema: (name: string, detail: string): string =>
    `Tool "${name}": its parameters schema is invalid (${detail}).`,
  registered: (names: readonly string[]): string =>
    names.length === 0
      ? 'No server-side tools registered.'
      : `Server-side tools: ${names.join(', ')}.`,
  disabled: (name: string): string => `Tool "${name}" is switched off.`,
  unknownNameOnly: (name: string, registered: readonly string[]): string =>
    `A request offered the tool "${name}" by name only, but the gateway runs no tool of that name ` +
    `(registered: ${registered.join(', ') || 'none'}): it goes to the model as the caller's own ` +
    `tool, with no description or parameters. If "${name}" is a server-side tool, it is switched ` +
    `off, or its module is not imported by AppModule (docs/adding-a-tool.md). Logged once per name.`,
  notRegistered: (name: string, owner: string): string =>
    `Tool "${name}" (${owner}) is decorated with @GatewayTool but is not a provider of any module ` +
    `the application imports, so it is NOT registered: requests naming "${name}" get it back as ` +
    `their own tool. List ${owner} in a module's providers and add that module to the imports ` +
    `of AppModule (src/app.module.ts); see docs/adding-a-tool.md.`,

  // Results the model reads, as {"error": "..."}.
  argumentsNotJson: (detail: string): string =>
    `The arguments are not valid JSON (${detail}). Send a JSON object that matches the tool's parameters schema.`,
  argumentsNotObject: (): string => 'The arguments must be a JSON object.',
  argumentsInvalid: (detail: string): string =>
    `The arguments do not match the tool's parameters schema: ${detail}. Correct them and call the tool again.`,
  timedOut: (name: string, ms: number): string =>
    `The tool ${name} did not finish within ${ms} ms.`,
  failed: (name: string): string => `The tool ${name} failed.`,
  aborted: (): string => 'The request was cancelled.',
  resultNotJson: (name: string): string => `The tool ${name} returned a value that is not JSON.`,
  truncated: (dropped: number): string => `… [${dropped} more characters cut]`,
  tooManyCallsPerRound: (max: number): string =>
    `Not run: at most ${max} tool calls of one turn are run. Make fewer calls at once.`,
  tooManyCallsPerRequest: (): string =>
    'Not run: this request has used all the tool calls it may make. Answer with what you have.',

  // Requests.
  severalChoicesWithTools: (): string =>
    'n > 1 is not supported together with server-side tools; send n: 1 or leave it out.',

  // Logs.
  callFailed: (name: string, requestId: string, status: string, detail: string): string =>
    `Tool ${name} (request ${requestId}) ${status}: ${detail}`,
} as const;
