import { Injectable } from '@nestjs/common';

/**
 * The only writer of `accountability_cases`: opening (by the ladder, by the five-in-one loop),
 * deciding and reading cases. Services pass their transaction's EntityManager explicitly.
 */
@Injectable()
export class CasesRepository {
  // ── decisions and reads (AccountabilityService) ──

  // ── opening: the ladder's last step, the five-in-one loop ──
}
