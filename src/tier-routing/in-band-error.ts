import { asGatewayException } from '../common/errors';
import type { OpenAiErrorBody } from '../common/openai';
import type { Admission } from '../limits';
import type { RequestTelemetry } from '../telemetry';

/**
 * The renderer of an error that ends a stream already open: it is recorded on the request's
 * telemetry and the key's accounting, and sent in-band as the OpenAI error envelope.
 */
export function inBandErrorRenderer(
  telemetry: RequestTelemetry | undefined,
  admission: Pick<Admission, 'fail'>,
): (error: unknown) => OpenAiErrorBody {
  return (error) => {
    telemetry?.failedInBand(error);
    admission.fail(error);
    return asGatewayException(error).toBody();
  };
}
