import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

let root: string | undefined;

/**
 * The directory Duban is installed in: the nearest directory above this file whose
 * package.json is Duban's (the repository, or /app in the image). Files that ship with the
 * installation (config/, apps/web/dist) are found from here, never from the working directory,
 * so that the apps start the same from anywhere.
 */
export function installationRoot(): string {
  if (root !== undefined) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'duban') {
          return (root = dir);
        }
      } catch {
        // not a readable manifest: keep looking further up
      }
    }
    if (dirname(dir) === dir) {
      throw new Error(`cannot find Duban's package.json above ${__dirname}`);
    }
  }
}

/** A path taken as given when absolute, else relative to the installation directory. */
export function fromInstallation(path: string): string {
  return isAbsolute(path) ? path : resolve(installationRoot(), path);
}

/** The directory of the configuration files: DUBAN_CONFIG_DIR, or config/ of the installation. */
export function configDirectory(config: { DUBAN_CONFIG_DIR?: string } = {}): string {
  return fromInstallation(config.DUBAN_CONFIG_DIR ?? 'config');
}
