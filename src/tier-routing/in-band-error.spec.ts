import { ErrorCode, GatewayException } from '../common/errors';
import type { RequestTelemetry } from '../telemetry';
import { inBandErrorRenderer } from './in-band-error';

describe('inBandErrorRenderer', () => {
  it.each<[string, boolean]>([
    ['with telemetry', true],
    ['without telemetry (untraced)', false],
  ])(
    'records the error on the telemetry and the accounting, and renders the OpenAI envelope (%s)',
    (_, traced) => {
      const failedInBand = jest.fn();
      const fail = jest.fn();
      const telemetry = traced ? ({ failedInBand } as unknown as RequestTelemetry) : undefined;
      const error = new GatewayException(ErrorCode.TierUnavailable, 'no replica');
      const body = inBandErrorRenderer(telemetry, { fail })(error);
      expect(body).toEqual(error.toBody());
      expect(body.error).toEqual(expect.objectContaining({ code: 'tier_unavailable' }));
      expect(fail).toHaveBeenCalledWith(error);
      expect(failedInBand.mock.calls).toEqual(traced ? [[error]] : []);
    },
  );

  it('renders an unknown error as the generic envelope, never its message', () => {
    const body = inBandErrorRenderer(undefined, { fail: jest.fn() })(new Error('secret detail'));
    expect(JSON.stringify(body)).not.toContain('secret detail');
    expect(body.error.type).toEqual(expect.any(String));
  });
});
