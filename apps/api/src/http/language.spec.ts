import { localizeBody } from './language';

describe('error bodies in the language asked for', () => {
  const body = {
    statusCode: 409,
    code: 'stale_version',
    message: '该任务已被他人更新，请刷新后重试 — If-Match: task t is at version 4, not 3',
    errors: [
      { field: 'If-Match', code: 'stale_version', message: '请刷新后重试 — reload it' },
      { field: 'x', code: 'x', note: 'no message' },
    ],
  };

  it('keeps the Chinese by default and the English when asked', () => {
    expect(localizeBody(body, 'zh')).toEqual({
      ...body,
      message: '该任务已被他人更新，请刷新后重试',
      errors: [
        { field: 'If-Match', code: 'stale_version', message: '请刷新后重试' },
        { field: 'x', code: 'x', note: 'no message' },
      ],
    });
    expect(localizeBody(body, 'en')).toMatchObject({
      code: 'stale_version',
      message: 'If-Match: task t is at version 4, not 3',
      errors: [{ message: 'reload it' }, { note: 'no message' }],
    });
  });

  it('leaves bodies that are not error bodies alone', () => {
    expect(localizeBody({ items: [] }, 'en')).toEqual({ items: [] });
    expect(localizeBody(undefined, 'zh')).toBeUndefined();
    expect(localizeBody('text', 'zh')).toBe('text');
  });
});
