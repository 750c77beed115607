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
  // Node's default accept queue (511) overflows when thousands of callers connect at once (each
  // dropped SYN waits 1, 3, 7… s to be retried); room for as many as it would take, which the
  // kernel caps at net.core.somaxconn.
  await app.listen({
    port: config.server.port,
    host: config.server.host,
    backlog: config.server.maxConnections,
  });
  new Logger('Tiergate').log(
    `Tiergate ${version} listening on http://${config.server.host}:${config.server.port} (OpenTelemetry: ${otelMode})`,
  );
}

void bootstrap();
