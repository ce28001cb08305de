import { isConnectionError, RedisStateLogger } from './redis-state';

describe('RedisStateLogger', () => {
  it('writes one line when Redis goes down and one when it is back, however many errors', () => {
    const lines: string[] = [];
    const state = new RedisStateLogger('test', {
      warn: (m) => lines.push(`warn ${m}`),
      log: (m) => lines.push(`log ${m}`),
    });
    state.ready();
    for (let i = 0; i < 50; i++) state.error(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    state.ready();
    state.ready();
    state.error(new Error('read ECONNRESET'));
    expect(lines).toEqual([
      expect.stringMatching(/^warn Redis \(test\) unreachable: connect ECONNREFUSED/),
      'log Redis (test) reachable again',
      expect.stringMatching(/^warn Redis \(test\) unreachable: read ECONNRESET/),
    ]);
  });

  it('tells connection errors from other errors', () => {
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(true);
    expect(
      isConnectionError(
        new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      ),
    ).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 1'))).toBe(false);
  });
});
