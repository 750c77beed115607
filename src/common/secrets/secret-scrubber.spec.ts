import { REDACTED, SecretScrubber, installSecrets, scrubSecrets } from './secret-scrubber';

describe('SecretScrubber', () => {
  const scrubber = new SecretScrubber([
    'sk-upstream-0123456789',
    'sk-upstream-0123456789-long',
    'client.key+with|regex(chars)',
    'short',
    undefined,
    '  ',
  ]);

  it.each<[string, string, string]>([
    ['no secret', 'bad request', 'bad request'],
    [
      'an echoed Authorization header',
      "header 'Authorization: Bearer sk-upstream-0123456789' refused",
      `header 'Authorization: Bearer ${REDACTED}' refused`,
    ],
    [
      'every occurrence',
      'sk-upstream-0123456789 and sk-upstream-0123456789',
      `${REDACTED} and ${REDACTED}`,
    ],
    ['the longer secret whole', 'k=sk-upstream-0123456789-long', `k=${REDACTED}`],
    [
      'regular-expression characters literally',
      'x client.key+with|regex(chars) y',
      `x ${REDACTED} y`,
    ],
    ['not a near miss', 'client_key+with|regex(chars)', 'client_key+with|regex(chars)'],
    ['not secrets too short to mean anything', 'a short answer', 'a short answer'],
  ])('%s', (_what, text, expected) => {
    expect(scrubber.scrub(text)).toBe(expected);
  });

  it('knows its distinct secrets', () => {
    expect(scrubber.size).toBe(3);
    expect(new SecretScrubber([]).scrub('anything')).toBe('anything');
  });

  it('installed secrets add up, so each application in a process keeps its own scrubbed', () => {
    installSecrets(['first-secret-abc']);
    installSecrets(['second-secret-xyz']);
    expect(scrubSecrets('first-secret-abc second-secret-xyz')).toBe(`${REDACTED} ${REDACTED}`);
  });
});
