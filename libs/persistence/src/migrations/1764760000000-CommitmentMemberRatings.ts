import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 党员评诺: the members of an org rate each item of its published commitments (fulfilled,
 * partly, not fulfilled), beside the superior's evaluation in `commitment_items.result`.
 *
 * As with 述职评议 ballots (1764600000000-FiveInOne), who has rated is stored apart from what
 * was rated: `commitment_raters` knows the member and the item, never the result;
 * `commitment_member_tallies` holds counters per item, never a member, a time or a sequence.
 * Every rating rewrites every tally row of its commitment (CommitmentsRepository.rateAsMember),
 * so a row's xmin says nothing about which counter one member moved.
 */
export class CommitmentMemberRatings1764760000000 implements MigrationInterface {
  name = 'CommitmentMemberRatings1764760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE commitment_raters (
        commitment_id uuid NOT NULL REFERENCES commitments (id),
        item_id uuid NOT NULL REFERENCES commitment_items (id),
        rater_user_id uuid NOT NULL REFERENCES users (id),
        PRIMARY KEY (item_id, rater_user_id)
      )`);
    await q.query(
      `CREATE INDEX commitment_raters_commitment ON commitment_raters (commitment_id, rater_user_id)`,
    );
    await q.query(`
      CREATE TABLE commitment_member_tallies (
        item_id uuid PRIMARY KEY REFERENCES commitment_items (id),
        commitment_id uuid NOT NULL REFERENCES commitments (id),
        fulfilled int NOT NULL DEFAULT 0 CHECK (fulfilled >= 0),
        partly int NOT NULL DEFAULT 0 CHECK (partly >= 0),
        not_fulfilled int NOT NULL DEFAULT 0 CHECK (not_fulfilled >= 0)
      )`);
    await q.query(
      `CREATE INDEX commitment_member_tallies_commitment ON commitment_member_tallies (commitment_id)`,
    );
    // Existing items start with an empty tally.
    await q.query(
      `INSERT INTO commitment_member_tallies (item_id, commitment_id)
       SELECT id, commitment_id FROM commitment_items`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE commitment_member_tallies`);
    await q.query(`DROP TABLE commitment_raters`);
  }
}
