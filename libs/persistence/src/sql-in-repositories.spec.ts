import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Issue 15's rule: outside migrations, bench and tests, SQL lives only in repository files
 * (`*.repository.ts`), next to its row mapping. This walks the source and names every file that
 * runs a statement anywhere else. libs/persistence is the database's own plumbing (data source,
 * bootstrap, prepared statements, the ping) and is not checked.
 *
 * CHECKED lists the trees already moved to repositories; add a tree here once its SQL has moved
 * (the goal is the whole of apps/ and libs/).
 */
const ROOT = join(__dirname, '..', '..', '..');

const CHECKED = [
  'libs/identity/src',
  'libs/evidence/src',
  'libs/demo/src',
  'libs/rectification/src/reports',
  'libs/rectification/src/import',
  'libs/rectification/src/negative-list',
  'apps/api/src/main.ts',
  'apps/api/src/http',
];

/** A statement run through TypeORM: raw SQL, the query builder, or an entity repository. */
const RUNS_SQL =
  /\.query\s*[<(]|\.createQueryBuilder\s*\(|\.getRepository\s*\(|\.createQueryRunner\s*\(/;

const exempt = (path: string) =>
  path.endsWith('.repository.ts') ||
  path.endsWith('.spec.ts') ||
  path.includes('/migrations/') ||
  path.startsWith('libs/persistence/');

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => {
    const child = `${path}/${name}`;
    if (statSync(join(ROOT, child)).isDirectory()) return sourceFiles(child);
    return child.endsWith('.ts') ? [child] : [];
  });
}

/** `path:line: text` for every line outside a repository that runs a statement. */
function offences(paths: readonly string[]): string[] {
  return paths
    .flatMap(sourceFiles)
    .filter((path) => !exempt(path))
    .flatMap((path) =>
      readFileSync(join(ROOT, path), 'utf8')
        .split('\n')
        .flatMap((line, i) => (RUNS_SQL.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
    );
}

describe('SQL lives in repository files', () => {
  it.each(CHECKED)('%s runs no statement outside a *.repository.ts', (tree) => {
    expect(offences([tree])).toEqual([]);
  });

  it('recognises a statement and looks at real files (the check is not vacuous)', () => {
    expect(RUNS_SQL.test("await this.db.query('SELECT 1')")).toBe(true);
    expect(RUNS_SQL.test('const rows: Row[] = await m.query<Row>(sql, params);')).toBe(true);
    expect(RUNS_SQL.test('await m.getRepository(UserEntity).save(user);')).toBe(true);
    expect(RUNS_SQL.test('const runner = this.db.createQueryRunner();')).toBe(true);
    expect(RUNS_SQL.test('const actor = await this.users.loadActor(m, userId);')).toBe(false);
    for (const tree of CHECKED) expect(sourceFiles(tree).length).toBeGreaterThan(0);
    // The repositories of the checked trees do run statements: they are where SQL went.
    expect(
      sourceFiles('libs/identity/src').filter(
        (p) => p.endsWith('.repository.ts') && RUNS_SQL.test(readFileSync(join(ROOT, p), 'utf8')),
      ),
    ).toHaveLength(3);
  });
});
