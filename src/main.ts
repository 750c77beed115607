// OpenTelemetry first: its instrumentations must be in place before Nest, http and undici load.
import { otelMode } from './instrumentation';
import { Logger } from '@nestjs/common';
import { createGatewayApp } from './app.factory';
import { ConfigValidationError, readGatewayConfig, readOtelSettings } from './config';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = readGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../package.json') as { version: string };
  const { captureContent } = readOtelSettings();
  const app = await createGatewayApp(config, { version, telemetry: { captureContent } });
  await app.listen(config.server.port, config.server.host);
  new Logger('Tiergate').log(
    `Tiergate ${version} listening on http://${config.server.host}:${config.server.port} (OpenTelemetry: ${otelMode})`,
  );
}

void bootstrap();
