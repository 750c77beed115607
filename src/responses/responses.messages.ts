/** Texts of the Responses front's errors and log lines (tests assert on them). */
export const ResponsesMessages = {
  invalidField: (param: string, problem: string): string => `Invalid '${param}': ${problem}.`,
  unsupportedField: (param: string, why: string): string =>
    `'${param}' is not supported by this gateway: ${why}. See docs/responses-api.md.`,
  unsupportedTool: (type: string): string =>
    `Tool type '${type}' is not supported by this gateway: hosted tools (web search, file search, computer use, code interpreter, image generation, MCP) run on OpenAI's platform only. Offer a function tool, or a tool registered on the gateway by name. See docs/responses-api.md.`,
  unsupportedItem: (type: string): string =>
    `Input item type '${type}' is not supported by this gateway. See docs/responses-api.md.`,
  unsupportedPart: (type: string): string =>
    `Content part type '${type}' is not supported by this gateway. See docs/responses-api.md.`,
  imageFileId: (): string =>
    "'file_id' images are not supported by this gateway (there is no Files API); send 'image_url' (an https or data: URL).",
  responseNotFound: (id: string): string => `No response found with id '${id}'.`,
  storeFailed: (id: string): string =>
    `Could not store response ${id}; it was answered but cannot be continued or read back.`,
} as const;
