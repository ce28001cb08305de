// `npm run openapi`: writes the OpenAPI document (dist/openapi.json) without a server, database
// or Redis: Nest builds the modules in preview mode (no provider is instantiated, so nothing
// connects) and @nestjs/swagger reads the controllers' metadata, as /api/docs-json does.
// `npm run build` runs it after compiling the api and before the web workspace, whose types
// (apps/web/src/generated/api.ts) openapi-typescript generates from the document.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#duban/config';
import { AppModule } from '../apps/api/src/app.module';
import { buildOpenApiDocument } from '../apps/api/src/openapi';

/** Where the document goes (first argument), relative to the repository. */
const out = join(__dirname, '..', '..', process.argv[2] ?? 'dist/openapi.json');

async function main(): Promise<void> {
  // Placeholders only: in preview mode nothing reads them to connect anywhere.
  const config = loadConfig({
    DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
    REDIS_URL: 'redis://127.0.0.1:1',
    DUBAN_JWT_SECRET: 'openapi-document-only-'.padEnd(48, 'x'),
    DUBAN_LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create(AppModule.forRoot(config), {
    preview: true,
    logger: false,
    bodyParser: false,
  });
  const document = buildOpenApiDocument(app);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`OpenAPI document written to ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
