import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's recommended minimum).
 * A fixed dummy hash is verified for unknown usernames so that response time does not tell
 * whether an account exists.
 */
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.dummy ??= hash('duban-dummy-password');
      await verify(await this.dummy, password);
      return false;
    }
    return verify(passwordHash, password);
  }
}
