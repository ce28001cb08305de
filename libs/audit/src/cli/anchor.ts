import { DEFAULT_AUDIT_ANCHOR_FILE, DEFAULT_DATABASE_URL } from '#duban/config';
import { createAppDataSource } from '#duban/persistence';
import { createAnchor, postAnchor, readAnchorKey } from '../anchor-store';

/**
 * `npm run audit:anchor`: signs every stream's head now with DUBAN_AUDIT_KEY_FILE, keeps the
 * anchor in audit_anchors and appends it to DUBAN_AUDIT_ANCHOR_FILE. Works as duban_app, like
 * the worker's scheduled anchor. Exit 2 when it could not.
 */
async function main(): Promise<void> {
  const keyFile = process.env.DUBAN_AUDIT_KEY_FILE;
  if (!keyFile) throw new Error('DUBAN_AUDIT_KEY_FILE must name the Ed25519 private key (PEM)');
  const key = await readAnchorKey(keyFile);
  const file = process.env.DUBAN_AUDIT_ANCHOR_FILE || DEFAULT_AUDIT_ANCHOR_FILE;
  const ds = await createAppDataSource(
    process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    2,
    process.env.DUBAN_APP_DATABASE_URL,
  ).initialize();
  try {
    // An entry point, not a service: the wall clock is the anchor's time.
    const anchor = await createAnchor(ds, { key, at: new Date(), file });
    process.stdout.write(
      `审计锚点已生成 audit anchor made: ${anchor.at}, ${anchor.streams} streams, ` +
        `${anchor.events} events, root ${anchor.root}, key ${anchor.keyId} → ${file}\n`,
    );
    const webhook = process.env.DUBAN_AUDIT_ANCHOR_WEBHOOK_URL;
    if (webhook) {
      try {
        await postAnchor(webhook, anchor, Number(process.env.DUBAN_WEBHOOK_TIMEOUT_MS) || 10_000);
        process.stdout.write(`posted to ${new URL(webhook).origin}\n`);
      } catch (e) {
        process.stderr.write(
          `the anchor is kept, but the webhook failed: ${(e as Error).message}\n`,
        );
        process.exitCode = 2;
      }
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
