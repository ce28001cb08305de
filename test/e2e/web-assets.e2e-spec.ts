import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response, Test } from 'supertest';
import { ensureWebBuilt } from '../browser/browser';
import { startTestApp, type TestApp } from '../support/test-app';
import { acceptedEncoding, webAppDirectory } from '../../apps/api/src/web/web-app';

/** The raw bytes of a response, whatever its type (supertest parses only some). */
const raw = (req: Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

describe('the web workspace is served compressed, its hashed assets cached for long', () => {
  let t: TestApp;
  let script: string;
  let style: string | undefined;
  let dir: string;

  beforeAll(async () => {
    ensureWebBuilt();
    dir = webAppDirectory();
    const assets = readdirSync(join(dir, 'assets'));
    script = assets.find((f) => /^index-[\w-]+\.js$/.test(f)) as string;
    style = assets.find((f) => f.endsWith('.css'));
    expect(script).toBeDefined();
    t = await startTestApp();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, acceptEncoding?: string) => {
    const req = t.http().get(path);
    if (acceptEncoding !== undefined) req.set('Accept-Encoding', acceptEncoding);
    return raw(req) as unknown as Promise<Response>;
  };

  it('sends a hashed script in brotli when accepted, immutable for a year', async () => {
    const res = await get(`/assets/${script}`, 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['vary']).toMatch(/Accept-Encoding/i);
    // supertest decodes the body; the bytes on the wire are in Content-Length.
    const original = readFileSync(join(dir, 'assets', script));
    expect(res.body as Buffer).toEqual(original);
    expect(Number(res.headers['content-length'])).toBeLessThan(original.length / 2);
  });

  it('falls back to gzip, and to the plain file when nothing is accepted', async () => {
    const gz = await get(`/assets/${script}`, 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body as Buffer).toEqual(readFileSync(join(dir, 'assets', script)));
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const plain = await get(`/assets/${script}`, 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body as Buffer).toEqual(readFileSync(join(dir, 'assets', script)));

    // "br;q=0" refuses brotli.
    const noBr = await get(`/assets/${script}`, 'br;q=0, gzip;q=0.8');
    expect(noBr.headers['content-encoding']).toBe('gzip');
  });

  it('compresses the stylesheet too', async () => {
    if (!style) return;
    const res = await get(`/assets/${style}`, 'br');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/text\/css/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends index.html compressed with no-cache, at / and at client routes', async () => {
    for (const path of ['/', '/tasks?light=red', '/index.html']) {
      const res = await get(path, 'gzip, br');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-encoding']).toBe('br');
      expect((res.body as Buffer).toString('utf8')).toContain('<div id="root">');
    }
  });

  it('answers HEAD without a body, a missing asset with 404 and never leaves the build', async () => {
    const head = await t.http().head(`/assets/${script}`).set('Accept-Encoding', 'br');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    await t.http().get('/assets/index-nosuchhash.js').set('Accept-Encoding', 'br').expect(404);
    const escape = await t
      .http()
      .get('/assets/..%2f..%2fpackage.json')
      .set('Accept-Encoding', 'br');
    expect(escape.status).toBe(404);
    const api = await t.http().get('/api/v1/no-such-thing').set('Accept-Encoding', 'br');
    expect(api.headers['content-encoding']).toBeUndefined();
  });

  it('reads Accept-Encoding with its weights', () => {
    expect(acceptedEncoding('gzip, deflate, br')).toBe('br');
    expect(acceptedEncoding('gzip')).toBe('gzip');
    expect(acceptedEncoding('br;q=0, gzip')).toBe('gzip');
    expect(acceptedEncoding('*')).toBe('br');
    expect(acceptedEncoding('identity')).toBeNull();
    expect(acceptedEncoding(undefined)).toBeNull();
    expect(acceptedEncoding('gzip;q=0')).toBeNull();
  });
});
