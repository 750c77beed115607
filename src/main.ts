import { ConsoleLogger } from '@nestjs/common';
import { createGatewayApp, nestLogLevels } from './app.factory';
import { ConfigValidationError, readGatewayConfig } from './config';

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
  const logger = new ConsoleLogger('Tiergate', {
    json: true,
    logLevels: nestLogLevels(config.server.logLevel),
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../package.json') as { version: string };
  const app = await createGatewayApp(config, { logger, version });
  await app.listen(config.server.port, config.server.host);
  logger.log(`Tiergate ${version} listening on http://${config.server.host}:${config.server.port}`);
}

void bootstrap();
