/** Texts the built-in tools give the model (as errors or in results). */
export const BuiltinToolMessages = {
  calculationTooLong: (ms: number): string =>
    `The calculation did not finish within ${ms} ms; simplify the expression.`,
  calculationTooLarge: (): string =>
    'The calculation needs too much memory; use smaller numbers or matrices.',
  unknownTimeZone: (zone: string): string =>
    `Unknown time zone "${zone}"; use an IANA name such as "Europe/Paris" or "UTC".`,
  scriptTooLong: (ms: number): string => `The script ran longer than ${ms} ms and was stopped.`,
  scriptOutOfMemory: (mb: number): string =>
    `The script used more than ${mb} MiB of memory and was stopped.`,
  scriptFailed: (): string => 'The sandbox failed to run the script.',
  sandboxBusy: (ms: number): string =>
    `Every sandbox was busy for ${ms} ms; make fewer calls at once or try again later.`,
  searchFailed: (status: number): string => `The search service answered HTTP ${status}.`,
  searchUnreachable: (): string => 'The search service could not be reached.',
  searchMalformed: (): string =>
    'The search service answered something that is not search results.',
  searchTimedOut: (ms: number): string => `The search service did not answer within ${ms} ms.`,
  searchRedirected: (host: string): string =>
    `The search service redirected to ${host}, which is not allowed.`,
  searchTooLarge: (max: number): string =>
    `The search service answered more than ${max} bytes; the answer was dropped.`,
  noteNotFound: (id: string): string => `There is no note with id "${id}".`,
  noteRequired: (): string => 'remember needs a "note".',
  idRequired: (): string => 'forget needs the "id" of a note (recall lists them).',
} as const;
