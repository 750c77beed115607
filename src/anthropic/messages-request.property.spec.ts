import fc from 'fast-check';
import { GatewayException } from '../common/errors';
import { toChatRequest } from './messages-request.translator';
import { validateMessagesRequest } from './messages-request.validator';

/** Property: whatever JSON arrives, the edge answers a typed request or a 400, never another failure. */
describe('validateMessagesRequest (property)', () => {
  const block = fc.oneof(
    fc.record({ type: fc.constant('text'), text: fc.oneof(fc.string(), fc.integer()) }),
    fc.record({
      type: fc.constant('image'),
      source: fc.oneof(
        fc.record({
          type: fc.constant('base64'),
          media_type: fc.constantFrom('image/png', 'x'),
          data: fc.string(),
        }),
        fc.record({
          type: fc.constant('url'),
          url: fc.constantFrom('https://a.test/x.png', 'ftp://x', ''),
        }),
      ),
    }),
    fc.record({
      type: fc.constant('tool_use'),
      id: fc.string(),
      name: fc.string(),
      input: fc.jsonValue(),
    }),
    fc.record(
      {
        type: fc.constant('tool_result'),
        tool_use_id: fc.string(),
        content: fc.oneof(
          fc.string(),
          fc.array(fc.record({ type: fc.constant('text'), text: fc.string() })),
        ),
        is_error: fc.boolean(),
      },
      { requiredKeys: ['type', 'tool_use_id'] },
    ),
    fc.record({ type: fc.constant('thinking'), thinking: fc.string(), signature: fc.string() }),
    fc.record({ type: fc.string(), extra: fc.jsonValue() }),
  );
  const message = fc.record({
    role: fc.constantFrom('user', 'assistant', 'system', 'tool'),
    content: fc.oneof(fc.string(), fc.array(block, { maxLength: 4 })),
  });
  const request = fc.record(
    {
      model: fc.oneof(fc.constantFrom('auto', 'instant', ''), fc.integer()),
      max_tokens: fc.oneof(fc.integer({ min: -1, max: 5000 }), fc.double()),
      messages: fc.array(message, { maxLength: 4 }),
      system: fc.oneof(fc.string(), fc.array(block, { maxLength: 2 })),
      tools: fc.array(
        fc.record(
          { name: fc.constantFrom('f', 'g h', ''), input_schema: fc.jsonValue() },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 2 },
      ),
      tool_choice: fc.record(
        {
          type: fc.constantFrom('auto', 'any', 'tool', 'none', 'x'),
          name: fc.constantFrom('f', 'z'),
        },
        { requiredKeys: ['type'] },
      ),
      thinking: fc.record(
        {
          type: fc.constantFrom('enabled', 'adaptive', 'disabled'),
          budget_tokens: fc.integer({ min: 0, max: 6000 }),
        },
        { requiredKeys: ['type'] },
      ),
      stop_sequences: fc.array(fc.string(), { maxLength: 3 }),
      temperature: fc.double({ min: -1, max: 2 }),
      metadata: fc.dictionary(fc.constantFrom('user_id', 'other'), fc.jsonValue()),
      stream: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );

  it('answers a request that translates, or a 400 naming a field', () => {
    fc.assert(
      fc.property(fc.oneof(request, fc.jsonValue()), (body) => {
        let validated;
        try {
          validated = validateMessagesRequest(body);
        } catch (error) {
          expect(error).toBeInstanceOf(GatewayException);
          expect((error as GatewayException).status).toBe(400);
          return;
        }
        const chat = toChatRequest(validated);
        expect(chat.max_tokens).toBe(validated.max_tokens);
        expect(chat.messages.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  const text = fc.record({ type: fc.constant('text'), text: fc.string() });
  const validUser = fc.oneof(
    fc.string(),
    fc.array(
      fc.oneof(
        text,
        fc.record({
          type: fc.constant('image'),
          source: fc.record({ type: fc.constant('url'), url: fc.constant('https://a.test/x.png') }),
        }),
        fc.record({
          type: fc.constant('tool_result'),
          tool_use_id: fc.string(),
          content: fc.string(),
          is_error: fc.boolean(),
        }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  );
  const validAssistant = fc.array(
    fc.oneof(
      text,
      fc.record({
        type: fc.constant('tool_use'),
        id: fc.string(),
        name: fc.string(),
        input: fc.dictionary(fc.string(), fc.jsonValue()),
      }),
      fc.record({
        type: fc.constant('thinking'),
        thinking: fc.string(),
        signature: fc.constant(''),
      }),
    ),
    { minLength: 1, maxLength: 3 },
  );
  const validRequest = fc.record({
    model: fc.constantFrom('auto', 'instant', 'thinking'),
    max_tokens: fc.integer({ min: 2000, max: 8000 }),
    messages: fc.array(
      fc.oneof(
        fc.record({ role: fc.constant('user'), content: validUser }),
        fc.record({ role: fc.constant('assistant'), content: validAssistant }),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    system: fc.oneof(fc.string(), fc.array(text, { minLength: 1, maxLength: 2 })),
    tools: fc.constant([{ name: 'f', input_schema: { type: 'object' } }]),
    tool_choice: fc.constantFrom(
      { type: 'auto' },
      { type: 'any' },
      { type: 'tool', name: 'f' },
      { type: 'none' },
    ),
    thinking: fc.oneof(
      fc.record({
        type: fc.constant('enabled'),
        budget_tokens: fc.integer({ min: 1024, max: 1999 }),
      }),
      fc.constant({ type: 'disabled' }),
    ),
    stop_sequences: fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  it('translates every valid request, keeping its turns in order', () => {
    fc.assert(
      fc.property(validRequest, (body) => {
        const chat = toChatRequest(validateMessagesRequest(body));
        expect(chat.model).toBe(body.model);
        expect(chat.messages[0].role).toBe('system');
        // Each assistant turn stays one assistant message.
        const assistants = body.messages.filter((m) => m.role === 'assistant').length;
        expect(chat.messages.filter((m) => m.role === 'assistant')).toHaveLength(assistants);
      }),
      { numRuns: 1000 },
    );
  });
});
