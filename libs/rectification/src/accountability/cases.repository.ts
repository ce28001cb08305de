import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * The only writer of `accountability_cases`: opening (by the ladder, by the five-in-one loop),
 * deciding and reading cases. Services pass their transaction's EntityManager explicitly.
 */
@Injectable()
export class CasesRepository {
  // ── decisions and reads (AccountabilityService) ──

  // ── opening: the ladder's last step, the five-in-one loop ──

  /**
   * Opens the cases of the ladder's last step (问责), set-based, each at most once per task and
   * deadline (its effect key); returns the ids of those this statement opened (a case opened
   * before keeps its id and is left out).
   */
  async openFromLadder(
    m: EntityManager,
    cases: readonly {
      id: string;
      taskId: string;
      effectKey: string;
      raisingOrgId: string;
      raisingOrgPath: string;
      subjectOrgId: string;
      subjectOrgPath: string;
      subjectUserIds: readonly string[];
    }[],
    openedAt: Date,
  ): Promise<Set<string>> {
    if (cases.length === 0) return new Set();
    const opened: { id: string }[] = await m.query(
      `INSERT INTO accountability_cases (id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id,
          subject_org_path, subject_user_ids, opened_at, state)
       SELECT id, task_id, effect_key, raising_org_id, raising_org_path::ltree, subject_org_id,
              subject_org_path::ltree, string_to_array(subjects, ',')::uuid[], $9, 'open'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[])
           AS x(id, task_id, effect_key, raising_org_id, raising_org_path, subject_org_id, subject_org_path, subjects)
       ON CONFLICT (task_id, effect_key) DO NOTHING RETURNING id`,
      [
        cases.map((c) => c.id),
        cases.map((c) => c.taskId),
        cases.map((c) => c.effectKey),
        cases.map((c) => c.raisingOrgId),
        cases.map((c) => c.raisingOrgPath),
        cases.map((c) => c.subjectOrgId),
        cases.map((c) => c.subjectOrgPath),
        cases.map((c) => c.subjectUserIds.join(',')),
        openedAt,
      ],
    );
    return new Set(opened.map((o) => o.id));
  }
}
