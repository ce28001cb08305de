import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const STATED: string = JSON.parse(read('package.json')).engines.node;

/** Every package.json under node_modules (scoped and nested ones included). */
function installedPackages(dir = join(ROOT, 'node_modules'), found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      installedPackages(path, found);
      continue;
    }
    if (existsSync(join(path, 'package.json'))) found.push(path);
    installedPackages(join(path, 'node_modules'), found);
  }
  return found;
}

/**
 * The Node version the project states (package.json `engines`, README, docs, Dockerfile) is one
 * that every installed dependency accepts: nothing warns EBADENGINE, nothing needs a newer Node.
 */
describe('the stated Node version', () => {
  it('is accepted by every installed package’s engines.node', () => {
    const packages = installedPackages();
    expect(packages.length).toBeGreaterThan(300);
    const refusing: string[] = [];
    for (const dir of packages) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
        engines?: { node?: string };
      };
      const wanted = pkg.engines?.node;
      if (!pkg.name || !wanted || !semver.validRange(wanted)) continue;
      if (!semver.subset(STATED, wanted))
        refusing.push(`${pkg.name}@${pkg.version} wants ${wanted}`);
    }
    expect(refusing).toEqual([]);
  });

  it('includes the Node this runs on, and the Dockerfile’s image', () => {
    expect(semver.satisfies(process.version, STATED)).toBe(true);
    const images = [...read('Dockerfile').matchAll(/^FROM node:(\d+)/gm)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) expect(semver.intersects(`${major}.x`, STATED)).toBe(true);
  });

  it('is the one README and docs/getting-started.md state', () => {
    expect(read('README.md')).toContain('Node.js 20.19+, 22.13+ or 24.11+');
    expect(read('docs/getting-started.md')).toContain(`\`${STATED}\``);
  });
});
