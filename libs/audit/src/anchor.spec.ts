import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  anchorProblem,
  firstAnchorBreak,
  headsRoot,
  keyIdOf,
  lastAnchorIn,
  signAnchor,
  type StreamHead,
} from './anchor';

const key = generateKeyPairSync('ed25519').privateKey;
const publicKey = createPublicKey(key);
const other = generateKeyPairSync('ed25519').publicKey;
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const heads: StreamHead[] = [
  [S2, 3, 'b'.repeat(64)],
  [S1, 2, 'a'.repeat(64)],
];
const at = new Date('2026-12-01T08:00:00Z');

describe('audit anchors', () => {
  it('signs every head: counts, a root over the sorted list, the key id', () => {
    const anchor = signAnchor({ at, database: 'duban', heads }, key);
    expect(anchor).toMatchObject({
      v: 1,
      at: '2026-12-01T08:00:00.000Z',
      database: 'duban',
      streams: 2,
      events: 5,
      keyId: keyIdOf(publicKey),
    });
    expect(anchor.heads.map((h) => h[0])).toEqual([S1, S2]);
    expect(anchor.root).toBe(headsRoot([...heads].reverse()));
    expect(anchorProblem(anchor, publicKey)).toBeNull();
    expect(anchorProblem(anchor)).toBeNull();
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => signAnchor({ at, database: 'duban', heads }, rsa)).toThrow(/Ed25519/);
  });

  it('detects an anchor whose heads, counts, signature or key were changed', () => {
    const anchor = signAnchor({ at, database: 'duban', heads }, key);
    const changedHead = {
      ...anchor,
      heads: [anchor.heads[0], [S2, 3, 'c'.repeat(64)] as StreamHead],
    };
    expect(anchorProblem(changedHead, publicKey)).toMatch(/root/);
    // Recomputing the root does not help without the private key.
    const forged = { ...changedHead, root: headsRoot(changedHead.heads) };
    expect(anchorProblem(forged, publicKey)).toMatch(/signature is invalid/);
    expect(anchorProblem({ ...anchor, events: 4 }, publicKey)).toMatch(/event count/);
    expect(anchorProblem(anchor, other)).toMatch(/not by this key/);
  });

  it('names a deleted or rewritten head and accepts events appended after the anchor', () => {
    const anchor = signAnchor({ at, database: 'duban', heads }, key);
    const stored = new Map([
      [`${S1}/2`, { id: '10', streamType: 'task', hash: 'a'.repeat(64) }],
      [`${S2}/3`, { id: '20', streamType: 'task', hash: 'b'.repeat(64) }],
    ]);
    const lookup = (m: typeof stored) => (s: string, seq: number) => m.get(`${s}/${seq}`);
    expect(firstAnchorBreak(anchor.heads, lookup(stored), anchor.at)).toBeNull();

    const rewritten = new Map(stored).set(`${S2}/3`, {
      id: '20',
      streamType: 'task',
      hash: 'd'.repeat(64),
    });
    expect(firstAnchorBreak(anchor.heads, lookup(rewritten), anchor.at)).toMatchObject({
      streamId: S2,
      seq: 3,
      eventId: '20',
      problem: expect.stringMatching(/rewritten/),
    });

    const deleted = new Map(stored);
    deleted.delete(`${S1}/2`);
    expect(firstAnchorBreak(anchor.heads, lookup(deleted), anchor.at)).toMatchObject({
      streamId: S1,
      seq: 2,
      eventId: null,
      problem: expect.stringMatching(/deleted/),
    });
  });

  it("takes the file's last anchor of this database, skipping other databases and bad lines", () => {
    const a1 = signAnchor({ at, database: 'duban', heads }, key);
    const a2 = signAnchor({ at: new Date('2026-12-01T09:00:00Z'), database: 'duban', heads }, key);
    const elsewhere = signAnchor({ at, database: 'other', heads }, key);
    const lines = [a1, a2, elsewhere].map((a) => JSON.stringify(a)).concat(['{broken', '']);
    expect(lastAnchorIn(lines, 'duban')?.at).toBe(a2.at);
    expect(lastAnchorIn(lines, 'none')).toBeNull();
  });
});
