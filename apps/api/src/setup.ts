import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig, trustProxySetting } from '#duban/config';
import { installBodyParsing } from './http/body-parsing';
import { installMethodNotAllowed } from './http/method-not-allowed';
import { installErrorLanguage } from './http/language';
import { createValidationPipe } from './http/validation';
import { installClientErrorResponses, TextGuardPipe } from './http/input-guard';
import { completeErrorResponses } from './http/openapi-errors';
import { serveWebApp } from './web/web-app';
import { installOperations } from './ops/ops';

/** Everything about the HTTP app that both the server and the e2e tests need. */
export function configureApp(app: INestApplication, config: AppConfig): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies DUBAN_TRUST_PROXY names (none by default):
  // the per-address login limits count req.ip.
  express.set('trust proxy', trustProxySetting(config.DUBAN_TRUST_PROXY));
  // Error messages in zh-CN, or English with Accept-Language: en (first: every error passes).
  installErrorLanguage(app);
  installClientErrorResponses(app.getHttpServer());
  installOperations(app);
  installBodyParsing(app, config.DUBAN_BODY_LIMIT);
  // Text first (no lone surrogate or NUL in any @Body/@Query/@Param, multipart fields included).
  app.useGlobalPipes(new TextGuardPipe(), createValidationPipe());
  // Close cleanly on SIGTERM and exit 0 (not by re-raising the signal).
  app.enableShutdownHooks([], { useProcessExit: true });

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
  // ErrorBody on every 4xx/5xx, the statuses every operation can return, security, servers.
  completeErrorResponses(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  // A wrong method on a documented path: 405 with Allow (before the routes, which would 404).
  installMethodNotAllowed(app, document.paths);
  // The web workspace (apps/web/dist) at `/`; it talks to the server only through /api/v1.
  serveWebApp(app);
}
