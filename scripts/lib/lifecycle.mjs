import { setInterval, clearInterval } from 'node:timers';
import { error, info, warn } from './log.mjs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Remembers what this run started and stops it, newest first, exactly once: on a signal, when
 * a child dies, or on an error. Child processes registered here are also killed if this
 * process exits any other way.
 */
export function createLifecycle() {
  const stops = [];
  const children = new Set();
  let stopping = null;
  let signalled = null;
  const signalWaiters = [];

  const lifecycle = {
    /** `stop` is awaited at shutdown; `child` (optional) is SIGKILLed on an abrupt exit. */
    onStop(name, stop, child) {
      stops.push({ name, stop });
      if (child) children.add(child);
    },
    trackChild(child) {
      children.add(child);
      child.once('exit', () => children.delete(child));
    },
    get isStopping() {
      return stopping !== null;
    },
    /**
     * Resolves with the signal's name when SIGINT, SIGTERM or SIGHUP arrives. Keeps the process
     * alive meanwhile (signal handlers alone do not, e.g. when only adopted daemons run).
     */
    untilSignal() {
      if (signalled) return Promise.resolve(signalled);
      const keepAlive = setInterval(() => {}, 3_600_000);
      return new Promise((resolve) => signalWaiters.push(resolve)).finally(() =>
        clearInterval(keepAlive),
      );
    },
    shutdown(code, message) {
      if (stopping) return stopping;
      if (message) (code === 0 ? info : error)(message);
      stopping = (async () => {
        for (const { name, stop } of stops.reverse()) {
          try {
            await stop();
          } catch (err) {
            warn(`could not stop ${name}: ${err.message}`);
          }
        }
        process.exit(code);
      })();
      return stopping;
    },
    /** Forward the first signal as a shutdown; later ones (npm repeats Ctrl-C) only inform. */
    handleSignals() {
      for (const signal of SIGNALS) {
        process.on(signal, () => {
          if (signalled) {
            info(`${signal} again: still stopping, please wait`);
            return;
          }
          signalled = signal;
          signalWaiters.splice(0).forEach((resolve) => resolve(signal));
          lifecycle.shutdown(0, `${signal} received, stopping / 正在停止…`);
        });
      }
      process.on('exit', () => {
        for (const child of children) {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      });
    },
  };
  return lifecycle;
}
