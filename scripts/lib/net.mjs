import { connect, createServer } from 'node:net';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::']);

/** Whether a host name means this machine (so a missing server may be started here). */
export function isLocalHost(host) {
  return LOCAL_HOSTS.has(host.toLowerCase()) || /^127\./.test(host);
}

/** Whether something accepts a TCP connection on host:port within the timeout. */
export function tcpAnswers(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answered) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether nothing listens on 127.0.0.1:port (tried by binding it for a moment). */
export function isPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The preferred port if free, else the first free one of first..first+count-1. */
export async function findFreePort(preferred, first, count = 100) {
  if (preferred && (await isPortFree(preferred))) return preferred;
  for (let port = first; port < first + count; port += 1) {
    if (port !== preferred && (await isPortFree(port))) return port;
  }
  return null;
}
