import { allowedMethods } from './method-not-allowed';

describe('allowed methods from the OpenAPI paths', () => {
  const allowed = allowedMethods({
    '/api/v1/tasks': { get: {}, parameters: [] },
    '/api/v1/tasks/{id}': { get: {} },
    '/api/v1/tasks/{id}/accept': { post: {} },
    '/api/v1/me/calendar-feed': { get: {}, delete: {} },
  });

  it('lists the methods of the routes a path matches, HEAD with GET', () => {
    expect(allowed('/api/v1/tasks')).toEqual(['GET', 'HEAD']);
    expect(allowed('/api/v1/tasks/abc/accept')).toEqual(['POST']);
    expect(allowed('/api/v1/me/calendar-feed')).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(allowed('/api/v1/tasks/abc/')).toEqual(['GET', 'HEAD']);
  });

  it('knows nothing of other paths', () => {
    expect(allowed('/api/v1/nothing')).toBeNull();
    expect(allowed('/api/v1/tasks/a/b/c')).toBeNull();
  });
});
