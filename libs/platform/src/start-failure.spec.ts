import { startFailureText } from './start-failure';

describe('startFailureText', () => {
  it('says in one line that PostgreSQL refused the login, with its own words and code', () => {
    const e = Object.assign(new Error('role "nobody" does not exist'), { code: '28000' });
    const text = startFailureText('api', e);
    expect(text).toBe(
      'api failed to start: PostgreSQL refused the login in DATABASE_URL (or DUBAN_APP_DATABASE_URL): role "nobody" does not exist (28000)\n',
    );
    expect(text.split('\n')).toHaveLength(2);
  });

  it('says in one line that a server does not answer', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(startFailureText('worker', e)).toMatch(
      /^worker failed to start: a server in DATABASE_URL or REDIS_URL does not answer: connect ECONNREFUSED 127\.0\.0\.1:1 \(ECONNREFUSED\)\n$/,
    );
  });

  it('keeps the stack of anything else: that is a bug to find', () => {
    const e = new TypeError('x is not a function');
    expect(startFailureText('api', e)).toContain('at ');
    expect(startFailureText('api', 'plain')).toBe('api failed to start: plain\n');
  });
});
