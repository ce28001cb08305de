import type { KeyObject } from 'node:crypto';
import { DEFAULT_AUDIT_ANCHOR_FILE, DEFAULT_DATABASE_URL } from '#duban/config';
import { createDataSource } from '#duban/persistence';
import { checkLatestAnchor, publicKeyOf, readAnchorKey } from '../anchor-store';
import { verifyAuditChain } from '../verify-chain';

/**
 * `npm run audit:verify`: checks every hash chain, then every stream's head against the latest
 * anchor (from DUBAN_AUDIT_ANCHOR_FILE when it holds one for this database, else the table;
 * its signature with the public key of DUBAN_AUDIT_KEY_FILE when set). Exit 1 naming the first
 * broken event, 2 when it could not check.
 */
async function main(): Promise<void> {
  const keyFile = process.env.DUBAN_AUDIT_KEY_FILE;
  let publicKey: KeyObject | undefined;
  if (keyFile) publicKey = publicKeyOf(await readAnchorKey(keyFile));
  const ds = await createDataSource(
    process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    2,
  ).initialize();
  try {
    const report = await verifyAuditChain(ds);
    if (report.firstBreak) {
      const b = report.firstBreak;
      process.stderr.write(
        `审计链校验失败 audit chain BROKEN at event ${b.eventId} (${b.streamType} ${b.streamId}, seq ${b.seq}): ${b.problem}\n`,
      );
      process.exitCode = 1;
      return;
    }
    process.stdout.write(
      `审计链完整 audit chain intact: ${report.events} events in ${report.streams} streams\n`,
    );
    const check = await checkLatestAnchor(ds, {
      file: process.env.DUBAN_AUDIT_ANCHOR_FILE || DEFAULT_AUDIT_ANCHOR_FILE,
      publicKey,
    });
    switch (check.kind) {
      case 'none':
        process.stdout.write('no audit anchor yet: only the hash chains were checked\n');
        return;
      case 'bad_anchor':
        process.stderr.write(
          `审计锚点无效 audit anchor INVALID (${check.anchor.at}, from ${check.source}): ${check.problem}\n`,
        );
        process.exitCode = 1;
        return;
      case 'break': {
        const b = check.at;
        process.stderr.write(
          `审计锚点不符 audit record BROKEN against the anchor of ${check.anchor.at} (from ${check.source}) ` +
            `at ${b.eventId ? `event ${b.eventId}` : 'a missing event'} (${b.streamType ?? 'stream'} ${b.streamId}, seq ${b.seq}): ${b.problem}\n`,
        );
        process.exitCode = 1;
        return;
      }
      case 'ok':
        process.stdout.write(
          `审计锚点相符 anchored heads match: anchor of ${check.anchor.at} (from ${check.source}), ` +
            `${check.anchor.streams} streams, ${check.anchor.events} events; ` +
            (check.signatureChecked
              ? `signature valid (key ${check.anchor.keyId})\n`
              : 'signature NOT checked: set DUBAN_AUDIT_KEY_FILE to check it\n'),
        );
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
