import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { offsetOf, type Page, type PageRequest } from '#duban/domain';
import { preparedQuery } from '#duban/persistence';
import type { SignedAnchor, StoredEvent, StreamHead } from './anchor';
import type { ChainedEvent, ChainHead } from './audit-chain';

/** One event of a stream as the API shows it. */
export interface AuditEvent {
  seq: number;
  at: string;
  actorId: string | null;
  type: string;
  from: string | null;
  to: string | null;
  data: unknown;
  hash: string;
}

/** A stored event with its id, as the chain check reads them. */
export interface StoredAuditEvent extends ChainedEvent {
  id: string;
}

export interface AnchorView {
  id: string;
  at: string;
  streams: number;
  events: number;
  root: string;
  keyId: string;
  signature: string;
}

interface EventRow {
  seq: number;
  at: Date;
  actor_id: string | null;
  type: string;
  from_state: string | null;
  to_state: string | null;
  data: unknown;
  hash: string;
}

interface ChainRow extends EventRow {
  id: string;
  stream_type: string;
  stream_id: string;
  prev_hash: string;
}

interface AnchorRow {
  at: Date;
  database: string;
  stream_count: number;
  event_count: string;
  root: string;
  key_id: string;
  signature: string;
  heads: StreamHead[];
}

interface AnchorListRow {
  id: string;
  at: Date;
  stream_count: number;
  event_count: string;
  root: string;
  key_id: string;
  signature: string;
}

/** Serialises anchors between workers sharing a database (two at once would be harmless too). */
const ANCHOR_LOCK_KEY = 727_002;

const toEvent = (r: EventRow): AuditEvent => ({
  seq: r.seq,
  at: r.at.toISOString(),
  actorId: r.actor_id,
  type: r.type,
  from: r.from_state,
  to: r.to_state,
  data: r.data,
  hash: r.hash,
});

const toStored = (r: ChainRow): StoredAuditEvent => ({
  id: r.id,
  streamType: r.stream_type,
  streamId: r.stream_id,
  seq: r.seq,
  at: r.at,
  actorId: r.actor_id,
  type: r.type,
  fromState: r.from_state,
  toState: r.to_state,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/**
 * The audit record: the only writer of `audit_events` (append-only, hash-chained) and
 * `audit_anchors` (signed heads). Callers pass their transaction's EntityManager.
 */
@Injectable()
export class AuditRepository {
  // ── the chain: appended on every transition's hot path, two statements per batch ──

  /** The head of each stream named, in one prepared statement; streams with no event are absent. */
  async heads(m: EntityManager, streamIds: readonly string[]): Promise<Map<string, ChainHead>> {
    const rows = await preparedQuery<{ stream_id: string; seq: number; hash: string }>(
      m,
      `SELECT DISTINCT ON (stream_id) stream_id, seq, hash FROM audit_events
        WHERE stream_id = ANY($1::uuid[]) ORDER BY stream_id, seq DESC`,
      [streamIds],
    );
    return new Map(rows.map((r) => [r.stream_id, { seq: r.seq, hash: r.hash }]));
  }

  /** One multi-row INSERT, in the order given (seq ascends within each stream, as the chain requires). */
  async insertEvents(m: EntityManager, events: readonly ChainedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []];
    for (const e of events) {
      [
        e.streamType,
        e.streamId,
        e.seq,
        e.at,
        e.actorId,
        e.type,
        e.fromState,
        e.toState,
        JSON.stringify(e.data),
        e.prevHash,
        e.hash,
      ].forEach((v, i) => columns[i].push(v));
    }
    await m.query(
      `INSERT INTO audit_events
         (stream_type, stream_id, seq, at, actor_id, type, from_state, to_state, data, prev_hash, hash)
       SELECT a, b, c, d, e, f, g, h, i, j, k FROM unnest($1::text[], $2::uuid[], $3::int[], $4::timestamptz[], $5::uuid[], $6::text[],
                            $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])
       -- unnest keeps the order, so seq ascends within each stream as the chain requires
       WITH ORDINALITY AS x(a, b, c, d, e, f, g, h, i, j, k, n) ORDER BY n`,
      columns,
    );
  }

  /** One stream's events, oldest first. The caller has checked the stream is in scope. */
  async stream(m: EntityManager, streamId: string): Promise<AuditEvent[]> {
    const rows: EventRow[] = await m.query(
      `SELECT seq, at, actor_id, type, from_state, to_state, data, hash
         FROM audit_events WHERE stream_id = $1 ORDER BY seq`,
      [streamId],
    );
    return rows.map(toEvent);
  }

  /** Up to `limit` events in (stream, seq) order after `after` (keyset pagination). */
  async chainAfter(
    m: EntityManager,
    after: { streamId: string; seq: number } | null,
    limit: number,
  ): Promise<StoredAuditEvent[]> {
    const rows: ChainRow[] = await m.query(
      `SELECT id::text AS id, stream_type, stream_id, seq, at, actor_id, type, from_state, to_state,
              data, prev_hash, hash
         FROM audit_events
        ${after ? 'WHERE (stream_id, seq) > ($2::uuid, $3::int)' : ''}
        ORDER BY stream_id, seq
        LIMIT $1`,
      after ? [limit, after.streamId, after.seq] : [limit],
    );
    return rows.map(toStored);
  }

  /** Every stream's head now, in one statement (one snapshot). */
  async allHeads(m: EntityManager): Promise<StreamHead[]> {
    const rows: { stream_id: string; seq: number; hash: string }[] = await m.query(
      `SELECT DISTINCT ON (stream_id) stream_id::text AS stream_id, seq, hash
         FROM audit_events ORDER BY stream_id, seq DESC`,
    );
    return rows.map((r) => [r.stream_id, r.seq, r.hash] as const);
  }

  /** The events stored now at the anchored heads' places, keyed `stream/seq`. */
  async eventsAt(
    m: EntityManager,
    heads: readonly StreamHead[],
  ): Promise<Map<string, StoredEvent>> {
    const rows: {
      stream_id: string;
      seq: number;
      id: string;
      stream_type: string;
      hash: string;
    }[] = await m.query(
      `SELECT e.stream_id::text AS stream_id, e.seq, e.id::text AS id, e.stream_type, e.hash
           FROM unnest($1::uuid[], $2::int[]) AS x(stream_id, seq)
           JOIN audit_events e ON e.stream_id = x.stream_id AND e.seq = x.seq`,
      [heads.map((h) => h[0]), heads.map((h) => h[1])],
    );
    return new Map(
      rows.map((r) => [
        `${r.stream_id}/${r.seq}`,
        { id: r.id, streamType: r.stream_type, hash: r.hash },
      ]),
    );
  }

  async streamTypeOf(m: EntityManager, streamId: string): Promise<string | null> {
    const [known]: { stream_type: string }[] = await m.query(
      'SELECT stream_type FROM audit_events WHERE stream_id = $1 LIMIT 1',
      [streamId],
    );
    return known?.stream_type ?? null;
  }

  // ── anchors ──

  /** Waits for any other anchorer; held until the transaction ends. */
  async lockAnchoring(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ANCHOR_LOCK_KEY]);
  }

  /** current_database(): anchors name the database they speak for. */
  async databaseName(m: EntityManager): Promise<string> {
    const [{ database }]: { database: string }[] = await m.query(
      'SELECT current_database() AS database',
    );
    return database;
  }

  async insertAnchor(m: EntityManager, at: Date, anchor: SignedAnchor): Promise<void> {
    await m.query(
      `INSERT INTO audit_anchors (at, database, stream_count, event_count, root, key_id, signature, heads)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        at,
        anchor.database,
        anchor.streams,
        anchor.events,
        anchor.root,
        anchor.keyId,
        anchor.signature,
        JSON.stringify(anchor.heads),
      ],
    );
  }

  async latestAnchor(m: EntityManager): Promise<SignedAnchor | null> {
    const rows: AnchorRow[] = await m.query(
      `SELECT at, database, stream_count, event_count::text AS event_count, root, key_id, signature,
              heads
         FROM audit_anchors ORDER BY id DESC LIMIT 1`,
    );
    if (rows.length === 0) return null;
    const r = rows[0];
    return {
      v: 1,
      at: r.at.toISOString(),
      database: r.database,
      streams: r.stream_count,
      events: Number(r.event_count),
      root: r.root,
      keyId: r.key_id,
      signature: r.signature,
      heads: r.heads,
    };
  }

  async listAnchors(m: EntityManager, page: PageRequest): Promise<Page<AnchorView>> {
    const rows: AnchorListRow[] = await m.query(
      `SELECT id::text AS id, at, stream_count, event_count::text AS event_count, root, key_id,
              signature
         FROM audit_anchors ORDER BY id DESC LIMIT $1 OFFSET $2`,
      [page.pageSize, offsetOf(page)],
    );
    const [{ n }]: { n: string }[] = await m.query('SELECT count(*)::text AS n FROM audit_anchors');
    return {
      items: rows.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        streams: r.stream_count,
        events: Number(r.event_count),
        root: r.root,
        keyId: r.key_id,
        signature: r.signature,
      })),
      total: Number(n),
      page: page.page,
      pageSize: page.pageSize,
    };
  }
}
