import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { completeRequestBodies } from './http/openapi-bodies';
import { completeErrorResponses } from './http/openapi-errors';

/**
 * The OpenAPI document of the api, as served at /api/docs-json and as written at build time by
 * scripts/openapi.ts (the web workspace's types and the committee's clients are generated from it).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('督办 Duban API')
      .setDescription(
        '整改督办：问题清单、任务清单、责任清单，定期督查，逾期自动升级，问责。\n\n' +
          'Errors are `{statusCode, error, message, code, errors?}`; a 400 names each field and its problem.',
      )
      .setVersion('1')
      .addServer('/')
      .addBearerAuth()
      .build(),
  );
  // Validation rules in the request schemas, dueDate/dueAt by mode, optional bodies.
  completeRequestBodies(document);
  // ErrorBody on every 4xx/5xx, the statuses every operation can return, security, servers.
  return completeErrorResponses(document);
}
