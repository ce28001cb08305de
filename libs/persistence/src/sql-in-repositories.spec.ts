import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Issue 15's rules, checked on the source itself:
 * - outside migrations, bench and tests, SQL lives only in repository files (`*.repository.ts`),
 *   next to its row mapping; libs/persistence is the database's own plumbing (data source,
 *   bootstrap, prepared statements, cursors, the ping) and is not checked;
 * - every table has one writer: the statements that insert, update or delete its rows are all in
 *   one repository file.
 */
const ROOT = join(__dirname, '..', '..', '..');
const TREES = ['apps', 'libs'];

/** A statement run through TypeORM: raw SQL, the query builder, or an entity repository. */
const RUNS_SQL =
  /\.query\s*[<(]|\.createQueryBuilder\s*\(|\.getRepository\s*\(|\.createQueryRunner\s*\(/;

/** The table a writing statement names (`INSERT INTO t`, `UPDATE t`, `DELETE FROM t`). */
const WRITES = /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)\b/g;

const isTest = (path: string) => path.endsWith('.spec.ts') || path.includes('/testing/');
const exempt = (path: string) =>
  path.endsWith('.repository.ts') ||
  isTest(path) ||
  path.includes('/migrations/') ||
  path.startsWith('libs/persistence/') ||
  path.startsWith('apps/web/');

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const child = `${path}/${name}`;
    if (statSync(join(ROOT, child)).isDirectory()) return sourceFiles(child);
    return child.endsWith('.ts') ? [child] : [];
  });
}

const FILES = TREES.flatMap(sourceFiles);

/** `path:line: text` for every line outside a repository that runs a statement. */
function offences(paths: readonly string[]): string[] {
  return paths
    .filter((path) => !exempt(path))
    .flatMap((path) =>
      readFileSync(join(ROOT, path), 'utf8')
        .split('\n')
        .flatMap((line, i) => (RUNS_SQL.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
}

/** Table → the non-test, non-migration files whose SQL writes it. */
function writersByTable(paths: readonly string[]): Map<string, Set<string>> {
  const writers = new Map<string, Set<string>>();
  for (const path of paths) {
    if (isTest(path) || path.includes('/migrations/')) continue;
    // Comments may speak of an UPDATE; only code counts.
    const code = readFileSync(join(ROOT, path), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
      .join('\n');
    for (const [, table] of code.matchAll(WRITES)) {
      if (!writers.has(table)) writers.set(table, new Set());
      writers.get(table)!.add(path);
    }
  }
  return writers;
}

describe('SQL lives in repository files, one writer per table', () => {
  it('no statement runs outside a *.repository.ts in apps/ and libs/', () => {
    expect(offences(FILES)).toEqual([]);
  });

  it('every table is written from one file, and that file is a repository', () => {
    const many = [...writersByTable(FILES)]
      .filter(([, files]) => files.size > 1 || ![...files][0].endsWith('.repository.ts'))
      .map(([table, files]) => `${table}: ${[...files].sort().join(', ')}`);
    expect(many).toEqual([]);
  });

  it('recognises statements and looks at real files (the checks are not vacuous)', () => {
    expect(RUNS_SQL.test("await this.db.query('SELECT 1')")).toBe(true);
    expect(RUNS_SQL.test('const rows: Row[] = await m.query<Row>(sql, params);')).toBe(true);
    expect(RUNS_SQL.test('await m.getRepository(UserEntity).save(user);')).toBe(true);
    expect(RUNS_SQL.test('const runner = this.db.createQueryRunner();')).toBe(true);
    expect(RUNS_SQL.test('const actor = await this.users.loadActor(m, userId);')).toBe(false);
    expect(
      [...'UPDATE tasks t SET x = 1; INSERT INTO audit_events (a) …'.matchAll(WRITES)].map(
        (m) => m[1],
      ),
    ).toEqual(['tasks', 'audit_events']);
    expect(FILES.filter((p) => p.endsWith('.repository.ts')).length).toBeGreaterThan(30);
    const writers = writersByTable(FILES);
    expect([...writers.get('tasks')!]).toEqual([
      'libs/rectification/src/tasks/tasks.repository.ts',
    ]);
    expect(writers.size).toBeGreaterThan(40);
  });
});
