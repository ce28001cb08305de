import { databaseErrorBody, UNIQUE_CONSTRAINTS } from './database-errors';

/** What TypeORM throws: a QueryFailedError wrapping pg's DatabaseError as driverError. */
const queryFailed = (fields: Record<string, string>) =>
  Object.assign(new Error('query failed'), { driverError: fields, ...fields });

describe('database errors caused by input are 4xx, never 500', () => {
  it('maps a known unique violation to a 409 saying what exists', () => {
    expect(
      databaseErrorBody(queryFailed({ code: '23505', constraint: 'extensions_one_pending' })),
    ).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'extension_pending',
      message: '该任务已有待审批的延期申请',
    });
    const name = databaseErrorBody(queryFailed({ code: '23505', constraint: 'orgs_sibling_name' }));
    expect(name).toMatchObject({ statusCode: 409, code: 'org_name_taken' });
    expect(name?.errors).toEqual([
      { field: 'name', code: 'org_name_taken', message: name?.message },
    ]);
  });

  it('every known constraint has a lower_snake_case code and a Chinese message', () => {
    for (const meaning of Object.values(UNIQUE_CONSTRAINTS)) {
      expect(meaning.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(meaning.message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('maps an unknown unique violation to a generic 409', () => {
    expect(databaseErrorBody({ code: '23505', constraint: 'whatever_key' })).toMatchObject({
      statusCode: 409,
      code: 'duplicate',
    });
  });

  it('maps foreign-key, check and data exceptions', () => {
    expect(
      databaseErrorBody({
        code: '23503',
        detail: 'Key (org_id)=(x) is not present in table "orgs".',
      }),
    ).toMatchObject({ statusCode: 400, code: 'reference_not_found' });
    expect(
      databaseErrorBody({
        code: '23503',
        detail: 'Key (id)=(x) is still referenced from table "t".',
      }),
    ).toMatchObject({ statusCode: 409, code: 'still_referenced' });
    expect(databaseErrorBody({ code: '23514' })).toMatchObject({
      statusCode: 400,
      code: 'constraint_violated',
      errors: [{ field: 'body', code: 'constraint_violated', message: '输入的值不符合规则' }],
    });
    expect(databaseErrorBody({ code: '23502', column: 'title' })?.errors?.[0].field).toBe('title');
    expect(databaseErrorBody({ code: '22P02' })).toMatchObject({
      statusCode: 400,
      code: 'invalid_value',
    });
    expect(databaseErrorBody({ code: '22021' })).toMatchObject({
      statusCode: 400,
      code: 'invalid_text',
    });
    expect(databaseErrorBody({ code: '22003' })).toMatchObject({
      statusCode: 400,
      code: 'number_out_of_range',
    });
    expect(databaseErrorBody({ code: '22012' })).toMatchObject({
      statusCode: 400,
      code: 'invalid_value',
    });
    expect(databaseErrorBody({ code: '40P01' })).toMatchObject({
      statusCode: 409,
      code: 'concurrent_update',
    });
  });

  it('leaves everything else to the caller', () => {
    expect(databaseErrorBody(new Error('boom'))).toBeNull();
    expect(databaseErrorBody({ code: 'ECONNREFUSED' })).toBeNull();
    expect(databaseErrorBody({ code: '08006' })).toBeNull();
    expect(databaseErrorBody({ code: '57P01' })).toBeNull();
    expect(databaseErrorBody(null)).toBeNull();
  });
});
