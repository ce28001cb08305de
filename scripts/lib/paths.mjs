import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding package.json). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Project-local state (git-ignored): secrets, local PostgreSQL and Redis data. */
export const LOCAL_DIR = join(ROOT, '.local');

export const API_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const WORKER_ENTRY = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
