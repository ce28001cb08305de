import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type AppConfig, trustProxySetting } from '#duban/config';
import { installBodyParsing } from './http/body-parsing';
import { installMethodNotAllowed } from './http/method-not-allowed';
import { installErrorLanguage } from './http/language';
import { createValidationPipe } from './http/validation';
import { installClientErrorResponses, TextGuardPipe } from './http/input-guard';
import { serveWebApp } from './web/web-app';
import { installOperations } from './ops/ops';
import { buildOpenApiDocument } from './openapi';

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

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  // A wrong method on a documented path: 405 with Allow (before the routes, which would 404).
  installMethodNotAllowed(app, document.paths);
  // The web workspace (apps/web/dist) at `/`; it talks to the server only through /api/v1.
  serveWebApp(app);
}
