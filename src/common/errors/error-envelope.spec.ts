import { ErrorCode } from './error-code';
import { errorBodyFor, type ErrorEnvelope } from './error-envelope';
import { GatewayException } from './gateway.exception';

const other: ErrorEnvelope = {
  appliesTo: (path) => path.startsWith('/other'),
  body: (error) => ({ kind: 'other', text: error.message }),
};

describe('errorBodyFor', () => {
  const error = new GatewayException(ErrorCode.NotFound, 'nope');

  it.each([
    ['/v1/chat/completions', error.toBody()],
    ['/other', { kind: 'other', text: 'nope' }],
    ['/other/x?y=1', { kind: 'other', text: 'nope' }],
    ['/v1/models?q=/other', error.toBody()],
  ])('%s → its route’s envelope', (url, body) => {
    expect(errorBodyFor([other], url, error)).toEqual(body);
  });

  it('is the OpenAI envelope when no envelope is given', () => {
    expect(errorBodyFor([], '/other', error)).toEqual(error.toBody());
  });
});
