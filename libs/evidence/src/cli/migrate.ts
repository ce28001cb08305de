import { resolve } from 'node:path';
import { FileBlobStore } from '../file-blob-store';
import { migrateDirectory } from '../maintenance';
import { openStoreFromEnv } from './store-from-env';

const USAGE =
  'usage: npm run evidence:migrate -- --from <dir>   (the old DUBAN_ATTACHMENTS_DIR, e.g. .local/attachments)';

function fromArgument(argv: string[]): string {
  const i = argv.indexOf('--from');
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--from='))?.slice(7);
  if (!value) throw new Error(USAGE);
  return resolve(value);
}

/**
 * `npm run evidence:migrate -- --from <dir>`: copies the evidence files of an old
 * DUBAN_ATTACHMENTS_DIR into the configured store (DUBAN_ATTACHMENTS_URL; the database by
 * default), each checked against the SHA-256 and size its attachments recorded. Safe to run
 * again: what is already stored is skipped. The directory is left as it is. Exit 1 when a
 * file is altered or missing.
 */
async function main(): Promise<void> {
  const from = fromArgument(process.argv.slice(2));
  const { db, store, close } = await openStoreFromEnv();
  try {
    if (store instanceof FileBlobStore && resolve(store.directory) === from) {
      throw new Error(
        `the configured store is ${from} itself (DUBAN_ATTACHMENTS_DIR): unset it to move the ` +
          'files into the database, or set DUBAN_ATTACHMENTS_URL to the target store',
      );
    }
    const r = await migrateDirectory(store, db, from);
    for (const sha of r.altered) {
      process.stdout.write(`ALTERED ${sha}: the file's bytes do not match; not copied\n`);
    }
    for (const sha of r.missing) {
      process.stdout.write(`MISSING ${sha}: neither in ${from} nor in ${r.to}\n`);
    }
    process.stdout.write(
      `${r.from} → ${r.to}: ${r.referenced} referenced, ${r.copied} copied, ` +
        `${r.alreadyStored} already stored, ${r.altered.length} altered, ${r.missing.length} missing\n`,
    );
    if (r.altered.length || r.missing.length) process.exitCode = 1;
  } finally {
    await close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
