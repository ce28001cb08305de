import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configDirectory, fromInstallation, installationRoot } from './installation';
import { ConfigError, loadConfig } from './app-config';

describe('installationRoot', () => {
  it("is the directory of Duban's package.json, whatever the working directory", () => {
    const cwd = process.cwd();
    try {
      process.chdir('/');
      expect(existsSync(join(installationRoot(), 'config', 'categories.json'))).toBe(true);
      expect(configDirectory()).toBe(join(installationRoot(), 'config'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes DUBAN_CONFIG_DIR as given when absolute, else from the installation', () => {
    expect(configDirectory({ DUBAN_CONFIG_DIR: '/etc/duban' })).toBe('/etc/duban');
    expect(fromInstallation('site-config')).toBe(join(installationRoot(), 'site-config'));
  });
});

describe('DUBAN_ATTACHMENTS_URL', () => {
  const base = { DUBAN_JWT_SECRET: 'x'.repeat(32) };

  it('is unset (the database) by default, and accepts the three kinds of store', () => {
    expect(loadConfig(base).DUBAN_ATTACHMENTS_URL).toBeUndefined();
    for (const url of [
      'postgres:',
      's3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true',
      'file:///var/lib/duban',
    ]) {
      expect(loadConfig({ ...base, DUBAN_ATTACHMENTS_URL: url }).DUBAN_ATTACHMENTS_URL).toBe(url);
    }
  });

  it('names the variable when it is none of them', () => {
    expect(() => loadConfig({ ...base, DUBAN_ATTACHMENTS_URL: '/var/lib/duban' })).toThrow(
      ConfigError,
    );
    let problems: string[] = [];
    try {
      loadConfig({ ...base, DUBAN_ATTACHMENTS_URL: 'file:relative/dir' });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^DUBAN_ATTACHMENTS_URL must be postgres:/)]);
  });
});
