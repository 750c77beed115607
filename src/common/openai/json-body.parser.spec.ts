import { GatewayException } from '../errors';
import { boundedJsonParser, hasMoreContainers } from './json-body.parser';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('hasMoreContainers', () => {
  it.each<[string, string, number, boolean]>([
    ['a scalar', '1', 0, false],
    ['one object within 1', '{}', 1, false],
    ['two within 1', '{"a":[]}', 1, true],
    ['brackets inside strings do not count', '{"a":"[[[{{{"}', 1, false],
    ['an escaped quote keeps the string open', '{"a":"\\"[[["}', 1, false],
    ['an escaped backslash closes it', '{"a":"\\\\","b":[[]]}', 2, true],
    ['10 000 empty objects within 10 001', `[${'{},'.repeat(9_999)}{}]`, 10_001, false],
    ['10 000 empty objects beyond 10 000', `[${'{},'.repeat(9_999)}{}]`, 10_000, true],
    ['malformed text is counted, not judged', '[[[', 2, true],
  ])('%s', (_name, text, max, expected) => {
    expect(hasMoreContainers(bytes(text), max)).toBe(expected);
  });
});

describe('boundedJsonParser', () => {
  const parse = (_request: unknown, body: string, done: (e: Error | null, v?: unknown) => void) =>
    done(null, JSON.parse(body));

  it('parses a body within the bound, and refuses one beyond it without parsing it', () => {
    const parser = boundedJsonParser(parse, 2);
    const results: unknown[] = [];
    parser({}, bytes('{"a":[1]}'), (error, value) => results.push(error ?? value));
    parser({}, bytes('{"a":[{}]}'), (error, value) => results.push(error ?? value));
    expect(results[0]).toEqual({ a: [1] });
    expect(results[1]).toBeInstanceOf(GatewayException);
    expect((results[1] as GatewayException).status).toBe(400);
    expect((results[1] as GatewayException).message).toBe(
      'The request body holds more than 2 objects and arrays; it was not parsed.',
    );
  });
});
