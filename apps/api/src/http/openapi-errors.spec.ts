import type { OpenAPIObject } from '@nestjs/swagger';
import { completeErrorResponses } from './openapi-errors';

const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

function doc(paths: Record<string, object>): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths } as OpenAPIObject;
}

describe('completeErrorResponses', () => {
  it('adds the ErrorBody component and servers', () => {
    const d = completeErrorResponses(doc({}));
    expect(d.components?.schemas?.ErrorBody).toMatchObject({
      required: ['statusCode', 'error', 'message', 'code'],
    });
    expect(d.servers).toEqual([{ url: '/' }]);
  });

  it('gives a guarded write with a path parameter every common status, each with ErrorBody', () => {
    const d = completeErrorResponses(
      doc({
        '/api/v1/tasks/{id}/accept': {
          post: { responses: { '200': { description: 'ok' }, '409': { description: 'late' } } },
        },
      }),
    );
    const op = d.paths['/api/v1/tasks/{id}/accept'].post!;
    expect(Object.keys(op.responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '409', '413', '415', '503'].sort(),
    );
    expect(op.responses['409']).toEqual({
      description: 'late',
      content: { 'application/json': { schema: ERROR_REF } },
    });
    expect(op.responses['200']).toEqual({ description: 'ok' });
    expect(op.security).toEqual([{ bearer: [] }]);
  });

  it('leaves 401, 403 and security off the public operations; login can answer 429', () => {
    const d = completeErrorResponses(
      doc({
        '/api/v1/auth/login': { post: { responses: { '200': { description: 'ok' } } } },
        '/health': { get: { responses: {} } },
      }),
    );
    const login = d.paths['/api/v1/auth/login'].post!;
    expect(Object.keys(login.responses).sort()).toEqual(['200', '400', '413', '415', '429', '503']);
    expect(login.security).toEqual([]);
    expect(Object.keys(d.paths['/health'].get!.responses).sort()).toEqual(['400', '503']);
  });

  it('extends an own 4xx body with ErrorBody, keeps an own 5xx body, drops other error types', () => {
    const own = { $ref: '#/components/schemas/Own' };
    const d = completeErrorResponses(
      doc({
        '/x/{token}.ics': {
          get: {
            responses: {
              '400': { description: 'b', content: { 'application/json': { schema: own } } },
              '404': { description: 'n', content: { 'text/calendar': {} } },
              '503': { description: 'd', content: { 'application/json': { schema: own } } },
            },
          },
        },
      }),
    );
    const r = d.paths['/x/{token}.ics'].get!.responses as Record<string, { content?: object }>;
    expect(r['400'].content).toEqual({
      'application/json': { schema: { allOf: [ERROR_REF, own] } },
    });
    expect(r['404'].content).toEqual({ 'application/json': { schema: ERROR_REF } });
    expect(r['503'].content).toEqual({ 'application/json': { schema: own } });
  });

  it('extends an own 4xx body once, also when operations share the response object', () => {
    const shared = {
      description: 'rejected',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Rows' } } },
    };
    const d = completeErrorResponses(
      doc({
        '/api/v1/a': { post: { responses: { '400': shared } } },
        '/api/v1/b': { post: { responses: { '400': shared } } },
      }),
    );
    for (const path of ['/api/v1/a', '/api/v1/b']) {
      expect(d.paths[path].post!.responses['400']).toEqual({
        description: 'rejected',
        content: {
          'application/json': {
            schema: { allOf: [ERROR_REF, { $ref: '#/components/schemas/Rows' }] },
          },
        },
      });
    }
  });
});
