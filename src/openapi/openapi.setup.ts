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
          'Errors use the OpenAI envelope {"error":{"message","type","param","code"}}.',
      )
      .setVersion(version)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
