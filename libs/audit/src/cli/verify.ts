import { DEFAULT_DATABASE_URL } from '#duban/config';
import { createDataSource } from '#duban/persistence';
import { verifyAuditChain } from '../verify-chain';

/** `npm run audit:verify`: checks every hash chain; exit 1 naming the first broken event. */
async function main(): Promise<void> {
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
    } else {
      process.stdout.write(
        `审计链完整 audit chain intact: ${report.events} events in ${report.streams} streams\n`,
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
