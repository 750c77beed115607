import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI description of the public API at `/docs` (UI) and `/docs-json`. */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tiergate')
      .setDescription(
        'OpenAI-compatible inference gateway: each chat request goes to the instant or the thinking tier. ' +
          'Errors use the OpenAI envelope {"error":{"message","type","param","code"}}; under /v1/messages, ' +
          'Anthropic\'s {"type":"error","error":{"type","message"}}.',
      )
      .setVersion(version)
      .addBearerAuth()
      // Anthropic's clients send the key as `x-api-key` (the Messages front).
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
