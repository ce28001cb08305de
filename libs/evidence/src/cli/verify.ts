import { verifyStore } from '../maintenance';
import { openStoreFromEnv } from './store-from-env';

/**
 * `npm run evidence:verify`: reads every file of the configured evidence store
 * (DUBAN_ATTACHMENTS_URL) and checks it against its SHA-256, and that every file an attachment
 * cites is there. Lists what is altered or missing; exit 1 if anything is, 2 if it cannot run.
 */
async function main(): Promise<void> {
  const { db, store, close } = await openStoreFromEnv();
  try {
    const report = await verifyStore(store, db);
    const names = (n: string[]) => (n.length ? ` (${n.join(', ')})` : '');
    for (const p of report.altered) {
      process.stdout.write(`ALTERED ${p.sha256}${names(p.names)}: ${p.problem}\n`);
    }
    for (const p of report.missing) {
      process.stdout.write(`MISSING ${p.sha256}${names(p.names)}\n`);
    }
    const summary =
      `${report.store}: ${report.checked} files checked, ${report.intact} intact, ` +
      `${report.altered.length} altered, ${report.missing.length} missing`;
    if (report.altered.length || report.missing.length) {
      process.stderr.write(`佐证材料校验失败 evidence check FAILED — ${summary}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(`佐证材料完整 evidence intact — ${summary}\n`);
    }
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
