import { routeLabel, UNMATCHED_ROUTE } from './http-metrics';

describe('routeLabel', () => {
  it('uses the matched route pattern, never the ids in the URL', () => {
    expect(routeLabel({ baseUrl: '', route: { path: '/api/v1/tasks/:id' } })).toBe(
      '/api/v1/tasks/:id',
    );
  });

  it('prefixes the mount path of a sub-application', () => {
    expect(routeLabel({ baseUrl: '/admin/queues', route: { path: '/api/queues' } })).toBe(
      '/admin/queues/api/queues',
    );
  });

  it('labels files and pages served under a mount without a route of their own by the mount', () => {
    expect(routeLabel({ baseUrl: '/admin/queues/static' })).toBe('/admin/queues/static/*');
    expect(routeLabel({ baseUrl: '/admin/queues', route: { path: ['/', '/queue/:q'] } })).toBe(
      '/admin/queues/*',
    );
  });

  it('puts every request that matched nothing into one series', () => {
    expect(routeLabel({ baseUrl: '' })).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ baseUrl: '', route: undefined })).toBe(UNMATCHED_ROUTE);
  });
});
