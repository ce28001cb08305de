import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDirectory } from '#duban/config';

export interface Category {
  code: string;
  name: string;
}

/** Where a problem came from (来源). */
export const PROBLEM_SOURCES = [
  'inspection_tour',
  'special_supervision',
  'quarterly_check',
  'roving_check',
  'annual_evaluation',
  'life_meeting',
  'public_report',
  'self_inspection',
  'spot_check',
] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];

export const PROBLEM_SOURCE_LABELS: Record<ProblemSource, string> = {
  inspection_tour: '巡视巡察',
  special_supervision: '专项督查',
  quarterly_check: '季度督查',
  roving_check: '巡回督查',
  annual_evaluation: '考核',
  life_meeting: '民主生活会/组织生活会查摆',
  public_report: '群众反映',
  self_inspection: '自查',
  spot_check: '随机抽查',
};

/**
 * Reads and validates categories.json (in config/ of the installation, or DUBAN_CONFIG_DIR) at
 * start-up; a malformed file stops the process
 * with the reason, rather than failing later on the first problem raised.
 */
export function loadCategories(file = join(configDirectory(), 'categories.json')): Category[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot be read as JSON (${(e as Error).message})`, { cause: e });
  }
  const list = (parsed as { categories?: unknown })?.categories;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${file}: "categories" must be a non-empty array of {code, name}`);
  }
  const seen = new Set<string>();
  return list.map((c, i) => {
    const { code, name } = (c ?? {}) as Record<string, unknown>;
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]{1,49}$/.test(code)) {
      throw new Error(`${file}: categories[${i}].code must be lower_snake_case (2-50 characters)`);
    }
    if (typeof name !== 'string' || name.trim() === '') {
      throw new Error(`${file}: categories[${i}].name must be a non-empty string`);
    }
    if (seen.has(code)) throw new Error(`${file}: categories[${i}].code "${code}" appears twice`);
    seen.add(code);
    return { code, name };
  });
}

export class CategoryCatalog {
  private readonly byCode: Map<string, Category>;

  constructor(readonly categories: readonly Category[]) {
    this.byCode = new Map(categories.map((c) => [c.code, c]));
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  nameOf(code: string): string {
    return this.byCode.get(code)?.name ?? code;
  }

  codes(): string[] {
    return [...this.byCode.keys()];
  }
}
