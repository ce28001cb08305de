import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '#duban/config';
import { OutageMonitor } from './outage';

describe('OutageMonitor', () => {
  let up = false;
  const db = { query: async () => (up ? [{ '?column?': 1 }] : Promise.reject(refused())) };
  const redis = { ping: async () => 'PONG' };
  const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
  const config = { REDIS_URL: 'redis://127.0.0.1:6390/0' } as AppConfig;
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const res = () => {
    const headers: Record<string, string> = {};
    return {
      headers,
      setHeader: (k: string, v: string) => (headers[k] = v),
    } as unknown as Response & { headers: Record<string, string> };
  };

  afterEach(() => jest.useRealTimers());

  it('answers 503 with Retry-After, logging the outage once when it starts and once when it ends', async () => {
    jest.useFakeTimers();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const monitor = new OutageMonitor(
      db as unknown as DataSource,
      redis as unknown as Redis,
      clock,
      config,
    );
    for (let i = 0; i < 5; i++) {
      const r = res();
      expect(monitor.respond(refused(), r)).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: '数据库暂时不可用，请稍后重试',
        code: 'database_unavailable',
      });
      expect(r.headers['Retry-After']).toBe('5');
    }
    expect(errors).toHaveBeenCalledTimes(1);
    expect(monitor.current()).toEqual(['database']);
    await jest.advanceTimersByTimeAsync(3000); // still down: nothing more is logged
    expect(errors).toHaveBeenCalledTimes(1);
    expect(logs).not.toHaveBeenCalled();
    up = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(logs).toHaveBeenCalledTimes(1);
    expect(logs.mock.calls[0][0]).toMatch(/PostgreSQL available again after \d+ s; 5 request/);
    expect(monitor.current()).toEqual([]);
    monitor.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('leaves other errors alone, and names Redis on its port', () => {
    const monitor = new OutageMonitor(
      db as unknown as DataSource,
      redis as unknown as Redis,
      clock,
      config,
    );
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(monitor.respond(new Error('boom'), res())).toBeNull();
    const redisDown = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), {
      code: 'ECONNREFUSED',
      port: 6390,
    });
    expect(monitor.respond(redisDown, res())?.code).toBe('redis_unavailable');
    monitor.onApplicationShutdown();
    jest.restoreAllMocks();
  });
});
