import { setTimeout as sleep } from 'node:timers/promises';

/** Waits until the api at `base` answers /health with 2xx; fails after 60 s. */
export async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (i > 120) throw new Error('the api did not become healthy within 60 s');
    await sleep(500);
  }
}
