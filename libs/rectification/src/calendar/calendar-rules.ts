import {
  type Actor,
  ALLOW,
  type DayKind,
  type Decision,
  deny,
  type FieldError,
  holdsRoleOver,
  isPlainObject,
  isWithin,
  type OrgRef,
  type LocalDate,
  type Validated,
  validateCalendarOverrides,
} from '#duban/domain';

/** One row of the override table as the API writes it. */
export interface OverrideEntry {
  readonly date: LocalDate;
  readonly kind: DayKind;
  /** Why the day differs, e.g. '2027年春节' or '调休上班'. */
  readonly note: string | null;
}

export const MAX_OVERRIDE_ENTRIES = 400;
export const MAX_OVERRIDE_NOTE_LENGTH = 100;
/** The widest range GET /calendar/info answers for, in days (a year and a day). */
export const MAX_CALENDAR_INFO_DAYS = 367;

const ENTRY_FIELDS = new Set(['date', 'kind', 'note']);

/**
 * Editing the national holiday calendar changes every deadline counted in working days in the
 * whole tree: the system administrator only (an org admin edits their own org's overrides).
 */
export function mayEditCalendar(actor: Actor): Decision {
  return actor.systemAdmin
    ? ALLOW
    : deny(
        '全国工作日历仅限系统管理员修改；本组织的节假日请在 /orgs/{id}/calendar-overrides 设置 — ' +
          'changing the national working-day calendar needs the system administrator; set your ' +
          "organisation's own holidays with PUT /api/v1/orgs/{id}/calendar-overrides",
      );
}

/** An organisation's own holidays (applying to its subtree): its admins, or the system admin. */
export function mayEditOrgCalendar(actor: Actor, org: OrgRef): Decision {
  return actor.systemAdmin || holdsRoleOver(actor, org, ['admin'])
    ? ALLOW
    : deny(
        "修改本组织的工作日历需要该组织（或其上级）的管理员角色 — changing an organisation's " +
          'calendar needs the admin role in it or above it',
      );
}

/** Seeing an org's overrides: anyone holding a role in it, above it or below it (it applies to them). */
export function mayViewOrgCalendar(actor: Actor, org: OrgRef): boolean {
  return (
    actor.systemAdmin ||
    actor.grants.some((g) => isWithin(org, g.org.id) || isWithin(g.org, org.id))
  );
}

/**
 * Checks a `{entries: [{date, kind, note?}]}` body. Dates and kinds are checked by the domain's
 * validateCalendarOverrides (its `overrides[i]` names become `entries[i]` here); notes and
 * unknown fields are checked here, since the table stores a note where the domain has a name.
 */
export function parseOverrideEntries(body: unknown): Validated<OverrideEntry[]> {
  const shape = 'the body is {entries: [{date, kind, note?}]}';
  const shapeZh = '请求内容须为 {entries: [{date, kind, note?}]}';
  if (!isPlainObject(body)) {
    return {
      ok: false,
      errors: [{ field: 'body', message: `${shapeZh} — body: ${shape}` }],
    };
  }
  const errors: FieldError[] = Object.keys(body)
    .filter((key) => key !== 'entries')
    .map((key) => ({
      field: key,
      message: `不接受字段 ${key}；${shapeZh} — ${key}: unknown field; ${shape}`,
    }));
  const entries = body.entries;
  if (!Array.isArray(entries)) {
    errors.push({
      field: 'entries',
      message: `日期列表（entries）须为数组，每条为 {date: 'YYYY-MM-DD', kind: 'workday' | 'holiday', note?} — entries must be an array of {date: 'YYYY-MM-DD', kind: 'workday' | 'holiday', note?}`,
    });
    return { ok: false, errors };
  }
  if (entries.length === 0 || entries.length > MAX_OVERRIDE_ENTRIES) {
    errors.push({
      field: 'entries',
      message: `日期列表须有 1 至 ${MAX_OVERRIDE_ENTRIES} 条 — entries must list between 1 and ${MAX_OVERRIDE_ENTRIES} dates`,
    });
    return { ok: false, errors };
  }

  const notes: (string | null)[] = [];
  entries.forEach((entry: unknown, i) => {
    if (!isPlainObject(entry)) return; // reported by the domain check below
    for (const key of Object.keys(entry)) {
      if (!ENTRY_FIELDS.has(key)) {
        errors.push({
          field: `entries[${i}].${key}`,
          message: `第${i + 1}条不接受字段 ${key}；每条为 {date, kind, note?} — entries[${i}].${key}: unknown field; an entry is {date, kind, note?}`,
        });
      }
    }
    const note = entry.note;
    if (
      note !== undefined &&
      note !== null &&
      (typeof note !== 'string' || note.length > MAX_OVERRIDE_NOTE_LENGTH)
    ) {
      errors.push({
        field: `entries[${i}].note`,
        message: `第${i + 1}条的备注至多 ${MAX_OVERRIDE_NOTE_LENGTH} 个字符 — entries[${i}].note must be text of at most ${MAX_OVERRIDE_NOTE_LENGTH} characters`,
      });
    }
    notes[i] = typeof note === 'string' && note.trim() !== '' ? note.trim() : null;
  });

  const checked = validateCalendarOverrides(
    entries.map((e: unknown) => (isPlainObject(e) ? { date: e.date, kind: e.kind } : e)),
  );
  if (!checked.ok) {
    errors.unshift(
      ...checked.errors.map((e) => ({
        field: e.field.replace(/^overrides\[/, 'entries['),
        message: e.message.replaceAll('overrides[', 'entries['),
      })),
    );
  }
  if (!checked.ok || errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: checked.value.map((o, i) => ({ date: o.date, kind: o.kind, note: notes[i] ?? null })),
  };
}
