import { chainEvents, chainLinkProblem, type AuditEventInput } from './audit-chain';
import { eventHash, GENESIS_HASH } from './audit-hash';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const at = new Date('2026-12-01T08:00:00Z');

const event = (streamId: string, type: string, data: unknown = {}): AuditEventInput => ({
  streamType: 'task',
  streamId,
  at,
  actorId: null,
  type,
  data,
});

describe('chainEvents', () => {
  it('starts a new stream at seq 1 on the genesis hash', () => {
    const [e] = chainEvents([event(A, 'created')], new Map());
    expect(e).toMatchObject({ streamId: A, seq: 1, prevHash: GENESIS_HASH, fromState: null });
    expect(e.hash).toBe(eventHash(e));
  });

  it('continues each stream from its head, and chains events of one batch onto each other', () => {
    const heads = new Map([[A, { seq: 7, hash: 'a'.repeat(64) }]]);
    const [a8, b1, a9] = chainEvents(
      [event(A, 'submitted'), event(B, 'created'), event(A, 'approved')],
      heads,
    );
    expect([a8.seq, a8.prevHash]).toEqual([8, 'a'.repeat(64)]);
    expect([b1.seq, b1.prevHash]).toEqual([1, GENESIS_HASH]);
    expect([a9.seq, a9.prevHash]).toEqual([9, a8.hash]);
    // The caller's map is the database's view; it is not changed.
    expect(heads.get(A)).toEqual({ seq: 7, hash: 'a'.repeat(64) });
  });

  it('hashes the normalised data, so key order does not change the hash', () => {
    const [x] = chainEvents([event(A, 't', { b: 1, a: 2 })], new Map());
    const [y] = chainEvents([event(A, 't', { a: 2, b: 1 })], new Map());
    expect(x.hash).toBe(y.hash);
  });
});

describe('chainLinkProblem', () => {
  const [a1, a2] = chainEvents([event(A, 'created'), event(A, 'submitted')], new Map());
  const link = (e: typeof a1) => ({ streamId: e.streamId, seq: e.seq, hash: e.hash });

  it('accepts a stream read in order', () => {
    expect(chainLinkProblem(null, a1)).toBeNull();
    expect(chainLinkProblem(link(a1), a2)).toBeNull();
  });

  it('names a gap in the sequence', () => {
    expect(chainLinkProblem(null, a2)).toBe('sequence gap: expected seq 1, found 2');
  });

  it('names a broken link', () => {
    expect(chainLinkProblem({ ...link(a1), hash: 'f'.repeat(64) }, a2)).toBe(
      'prev_hash does not match the hash of the event before it',
    );
  });

  it('names an altered row', () => {
    expect(chainLinkProblem(link(a1), { ...a2, data: { summary: '篡改' } })).toBe(
      'hash does not match the content: the row was altered',
    );
  });
});
