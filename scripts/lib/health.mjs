import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { info } from './log.mjs';

/** GET http://127.0.0.1:port/health → the status code, or the connection error's code. */
export function probeHealth(port, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(err.code ?? err.message));
    req.end();
  });
}

/**
 * Polls /health once a second until it answers 200. Gives up (returns a reason) after
 * `timeoutMs`, or as soon as `abortReason()` returns one (a child died). Shows progress.
 */
export async function waitForHealth({ port, timeoutMs, abortReason }) {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    const reason = abortReason();
    if (reason) return reason;
    const status = await probeHealth(port);
    if (status === 200) return null;
    const elapsed = Date.now() - started;
    if (elapsed >= timeoutMs) {
      return `GET /health did not answer 200 within ${timeoutMs / 1000} s (last: ${status})`;
    }
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      info(
        `waiting for http://127.0.0.1:${port}/health … ${Math.round(elapsed / 1000)} s / ` +
          `${timeoutMs / 1000} s (last: ${status})`,
      );
    }
    await sleep(1000);
  }
}
