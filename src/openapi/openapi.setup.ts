import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** A route served beside Nest's router (ADR 0015): Nest's scanner cannot see it. */
export interface DocumentedRoute {
  path: string;
  method: 'post';
  operation: NonNullable<OpenAPIObject['paths'][string]['post']>;
  /** The DTO classes its operation refers to, added to the document's schemas. */
  models: readonly (new () => object)[];
}

/**
 * Serves the OpenAPI description of the public API at `/docs` (UI) and `/docs-json`: the
 * controllers' routes, as Nest's scanner finds them, and `routes`, described by hand.
 */
export function setupOpenApi(
  app: NestFastifyApplication,
  version: string,
  routes: readonly DocumentedRoute[] = [],
): void {
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
    { extraModels: routes.flatMap((route) => route.models) },
  );
  for (const route of routes) {
    document.paths[route.path] = { ...document.paths[route.path], [route.method]: route.operation };
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
