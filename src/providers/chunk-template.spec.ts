import fc from 'fast-check';
import { ChunkTemplate } from './chunk-template';

/** A content chunk as servers write it: `head`, then the one choice, then `tail`. */
function contentChunk(head: object, content: string, tail: object = {}): string {
  return JSON.stringify({
    ...head,
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
    ...tail,
  });
}

const HEAD = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1765140000,
  model: 'Qwen/Qwen3-8B',
};

/** The same value, the same key order, as `JSON.parse` gives. */
function expectSameAsParse(value: unknown, raw: string): void {
  const parsed: unknown = JSON.parse(raw);
  expect(value).toEqual(parsed);
  expect(JSON.stringify(value)).toBe(JSON.stringify(parsed));
}

const scalar = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const fieldName = fc.oneof(
  fc.constantFrom('id', 'object', 'created', 'model', 'system_fingerprint', 'usage', 'choices'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const fields = fc.dictionary(fieldName, scalar, { maxKeys: 6 });

describe('ChunkTemplate', () => {
  it('builds a content chunk as JSON.parse does, whatever the content', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (content) => {
        const raw = contentChunk(HEAD, content, { usage: null });
        expectSameAsParse(new ChunkTemplate().match(raw), raw);
      }),
    );
  });

  it('gives JSON.parse’s value or nothing, for any fields around the choice', () => {
    fc.assert(
      fc.property(fields, fc.string({ unit: 'binary' }), fields, (head, content, tail) => {
        const raw = contentChunk(head, content, tail);
        const value = new ChunkTemplate().match(raw);
        if (value !== undefined) expectSameAsParse(value, raw);
      }),
    );
  });

  it('takes the ordinary fields of a server’s chunk', () => {
    const template = new ChunkTemplate();
    for (const raw of [
      contentChunk(HEAD, 'Hello'),
      contentChunk({ ...HEAD, system_fingerprint: 'fp_1' }, ' "world"\n', { usage: null }),
      contentChunk(HEAD, ''),
      contentChunk({ ...HEAD, id: 'chatcmpl-\u00e9\u{1f600}' }, '\u00e9\\'),
    ]) {
      expect(template.match(raw)).toBeDefined();
      expectSameAsParse(template.match(raw), raw);
    }
  });

  it('gives JSON.parse’s value or nothing for text that is not quite a chunk', () => {
    const base = contentChunk({ ...HEAD, system_fingerprint: null }, 'a "b" \\ c', { usage: null });
    fc.assert(
      fc.property(
        fc.nat({ max: base.length }),
        fc.nat({ max: 3 }),
        fc.string({ unit: 'binary', maxLength: 3 }),
        (at, cut, insert) => {
          const raw = base.slice(0, at) + insert + base.slice(at + cut);
          const template = new ChunkTemplate();
          // Learn the fields first, so a changed text is checked against what was learnt.
          template.match(base);
          const value = template.match(raw);
          if (value === undefined) return;
          expectSameAsParse(value, raw);
        },
      ),
    );
  });

  it('gives JSON.parse’s value or nothing along a stream of texts that are not quite chunks', () => {
    const base = contentChunk({ ...HEAD, system_fingerprint: null }, 'a "b" \\ c', { usage: null });
    const edit = fc.tuple(
      fc.nat({ max: base.length }),
      fc.nat({ max: 3 }),
      fc.string({ unit: 'binary', maxLength: 3 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 12 }), (edits) => {
        // One template along the stream: what it learnt from one text is used for the next.
        const template = new ChunkTemplate();
        for (const [at, cut, insert, asIs] of edits) {
          const raw = asIs ? base : base.slice(0, at) + insert + base.slice(at + cut);
          const value = template.match(raw);
          if (value !== undefined) expectSameAsParse(value, raw);
        }
      }),
    );
  });

  it('follows a stream whose fields change, chunk by chunk', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 3 }), fc.string(), fc.boolean()), { maxLength: 20 }),
        (steps) => {
          const template = new ChunkTemplate();
          for (const [created, content, usage] of steps) {
            const raw = contentChunk(
              { ...HEAD, created: HEAD.created + created },
              content,
              usage ? { usage: null } : {},
            );
            expectSameAsParse(template.match(raw), raw);
          }
        },
      ),
    );
  });

  it('builds a new object for every chunk (consumers rewrite chunks in place)', () => {
    const template = new ChunkTemplate();
    const first = template.match(contentChunk(HEAD, 'a')) as { model: string };
    first.model = 'changed';
    expect(template.match(contentChunk(HEAD, 'b'))).toMatchObject({ model: HEAD.model });
  });

  it.each([
    [
      'the role chunk',
      JSON.stringify({
        ...HEAD,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      }),
    ],
    [
      'a finish chunk',
      JSON.stringify({
        ...HEAD,
        choices: [{ index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'stop' }],
      }),
    ],
    [
      'the usage chunk',
      JSON.stringify({
        ...HEAD,
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      }),
    ],
    [
      'a second choice',
      JSON.stringify({
        ...HEAD,
        choices: [{ index: 1, delta: { content: 'x' }, logprobs: null, finish_reason: null }],
      }),
    ],
    ['nested fields around it', contentChunk({ ...HEAD, meta: { a: 1 } }, 'x')],
    ['a later choices field', contentChunk(HEAD, 'x').slice(0, -1) + ',"choices":null}'],
    ['an own __proto__', contentChunk(HEAD, 'x').replace('"id"', '"__proto__"')],
    ['a raw control character', contentChunk(HEAD, 'x').replace('"x"', '"\t"')],
    ['an invalid escape', contentChunk(HEAD, 'x').replace('"x"', '"\\q"')],
    ['spaces in the choice', contentChunk(HEAD, 'x').replace('"choices":[', '"choices": [')],
  ])('leaves %s to JSON.parse', (_what, raw) => {
    expect(new ChunkTemplate().match(raw)).toBeUndefined();
  });
});
