import { ErrorCode, ErrorMessages, GatewayException } from '../errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Whether the JSON text `bytes` opens more than `max` objects and arrays, counted outside
 * strings in one pass over the bytes, without parsing (malformed text is the parser's to
 * refuse). About 10 ms a MiB: JSON.parse's cost grows with the containers it builds, not with
 * bytes (10 MiB of `{},` took it 4 s here, 10 MiB of text 50 ms).
 */
export function hasMoreContainers(bytes: Uint8Array, max: number): boolean {
  let count = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if ((byte === OPEN_BRACE || byte === OPEN_BRACKET) && ++count > max) {
      return true;
    }
  }
  return false;
}

type Done = (error: Error | null, body?: unknown) => void;
type BodyParser<R> = (request: R, body: Buffer, done: Done) => void;

/**
 * The JSON body parser: Fastify's own (prototype-poisoning checks, its error codes), behind a
 * count of the body's objects and arrays, so no body makes the event loop build millions of
 * them before validation can refuse it (issue 13, finding 3).
 */
export function boundedJsonParser<R>(
  parse: (request: R, body: string, done: Done) => void,
  maxContainers: number,
): BodyParser<R> {
  return (request, body, done) => {
    if (hasMoreContainers(body, maxContainers)) {
      done(
        new GatewayException(
          ErrorCode.InvalidValue,
          ErrorMessages.tooManyContainers(maxContainers),
        ),
      );
      return;
    }
    parse(request, body.toString('utf8'), done);
  };
}
