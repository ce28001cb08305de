import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The heap cap of the apps (scripts/lib/node-options.json): benchmarks run with what ships. */
export const NODE_FLAGS = [
  `--max-old-space-size=${
    (
      JSON.parse(readFileSync(join(process.cwd(), 'scripts/lib/node-options.json'), 'utf8')) as {
        maxOldSpaceSizeMb: number;
      }
    ).maxOldSpaceSizeMb
  }`,
];
