import { errorBody, type ErrorBody } from './error.filter';

interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

/** What a unique constraint (or unique index) means, for the 409 it becomes. */
interface ConstraintMeaning {
  code: string;
  message: string;
  field?: string;
}

/**
 * Every unique constraint and unique index of the schema, by name: what a clash means in words.
 * A name not listed here still becomes a 409 (`duplicate`), never a 500.
 */
export const UNIQUE_CONSTRAINTS: Record<string, ConstraintMeaning> = {
  extensions_one_pending: { code: 'extension_pending', message: '该任务已有待审批的延期申请' },
  orgs_sibling_name: {
    code: 'org_name_taken',
    message: '同一上级组织下已有同名组织',
    field: 'name',
  },
  orgs_path_key: { code: 'org_path_taken', message: '组织路径与已有组织冲突，请重试' },
  users_username_lower: {
    code: 'username_taken',
    message: '用户名已被使用（不区分大小写）',
    field: 'username',
  },
  role_assignments_user_id_org_id_role_key: {
    code: 'role_exists',
    message: '该用户在该组织已有此角色',
    field: 'role',
  },
  delegations_user_id_deputy_id_starts_on_ends_on_key: {
    code: 'delegation_exists',
    message: '已有相同的委托（同一代理人、同一起止日期）',
  },
  audit_events_stream_id_seq_key: {
    code: 'concurrent_update',
    message: '该记录正被同时修改，请刷新后重试',
  },
  task_effects_task_id_effect_key_key: { code: 'already_applied', message: '该操作已经执行过' },
  accountability_cases_task_id_effect_key_key: {
    code: 'accountability_case_exists',
    message: '该任务的这一级问责已立案',
  },
  notifications_user_id_dedupe_key_key: {
    code: 'duplicate_notification',
    message: '该通知已经发送过',
  },
  deliveries_dedupe_key_key: { code: 'duplicate_delivery', message: '该投递已经登记过' },
};

/** SQLSTATEs of class 22 (data exception) with a more precise code than `invalid_value`. */
const DATA_EXCEPTIONS: Record<string, ConstraintMeaning> = {
  '22P02': { code: 'invalid_value', message: '输入的值格式不正确' },
  '22021': { code: 'invalid_text', message: '文本含有数据库无法保存的字符' },
  '22003': { code: 'number_out_of_range', message: '数值超出允许的范围' },
  '22001': { code: 'value_too_long', message: '输入的文本过长' },
  '22007': { code: 'invalid_datetime', message: '日期或时间格式不正确' },
  '22008': { code: 'datetime_out_of_range', message: '日期或时间超出允许的范围' },
  '2201W': { code: 'number_out_of_range', message: '分页参数超出允许的范围' },
  '2201X': { code: 'number_out_of_range', message: '分页参数超出允许的范围' },
};

/** A 400 naming the column PostgreSQL names (or `body`), as `errors[]` of every 400 does. */
function badRequest(pg: PgErrorFields, code: string, message: string): ErrorBody {
  const field = pg.column ?? 'body';
  return errorBody(400, message, { code, errors: [{ field, code, message }] });
}

function pgFields(e: unknown): PgErrorFields | null {
  if (e === null || typeof e !== 'object') return null;
  const outer = e as PgErrorFields & { driverError?: PgErrorFields };
  const inner = outer.driverError ?? outer;
  return typeof inner.code === 'string' && /^[0-9A-Z]{5}$/.test(inner.code) ? inner : null;
}

/**
 * A PostgreSQL error that input caused, as the 4xx it is: a unique violation (23505) is a 409
 * saying what already exists; a missing reference (23503) a 400, a still-referenced row a 409;
 * a check violation (23514) and any data exception (class 22: bad text, number out of range…)
 * a 400; a serialization failure or deadlock (40001, 40P01) a 409 asking to retry. Anything
 * else (connection loss, bugs) is null: the caller decides.
 */
export function databaseErrorBody(e: unknown): ErrorBody | null {
  const pg = pgFields(e);
  if (!pg?.code) return null;
  const code = pg.code;
  if (code === '23505') {
    const known = pg.constraint ? UNIQUE_CONSTRAINTS[pg.constraint] : undefined;
    if (known) {
      return errorBody(409, known.message, {
        code: known.code,
        ...(known.field
          ? { errors: [{ field: known.field, message: known.message, code: known.code }] }
          : {}),
      });
    }
    return errorBody(409, '与已有记录重复，请刷新后重试', { code: 'duplicate' });
  }
  if (code === '23503') {
    if (/still referenced/.test(pg.detail ?? '')) {
      return errorBody(409, '该记录仍被其他记录引用，无法删除或修改', { code: 'still_referenced' });
    }
    return badRequest(pg, 'reference_not_found', '引用的记录不存在（可能已被删除）');
  }
  if (code === '23514') {
    return badRequest(pg, 'constraint_violated', '输入的值不符合规则');
  }
  if (code === '23502') {
    return badRequest(pg, 'value_required', '缺少必填的值');
  }
  if (code.startsWith('22')) {
    const known = DATA_EXCEPTIONS[code] ?? { code: 'invalid_value', message: '输入的值不正确' };
    return badRequest(pg, known.code, known.message);
  }
  if (code === '40001' || code === '40P01') {
    return errorBody(409, '该记录正被同时修改，请重试', { code: 'concurrent_update' });
  }
  if (code === '54000' || code === '54001') {
    return badRequest(pg, 'input_too_complex', '输入过大或过于复杂，无法处理');
  }
  return null;
}
