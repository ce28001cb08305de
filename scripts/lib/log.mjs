// Console output of scripts/start.mjs. Status lines go to stderr so that stdout carries only
// what a user may want to capture (the banner, the resolved environment, the apps' output).

const colour = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;

function paint(code, text) {
  return colour ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** An error whose message is meant for the user as it is (no stack trace). */
export class StartError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StartError';
  }
}

export function fail(message) {
  throw new StartError(message);
}

export function info(message) {
  process.stderr.write(`${paint('36', '[start]')} ${message}\n`);
}

export function warn(message) {
  process.stderr.write(`${paint('33', '[start]')} ${paint('33', message)}\n`);
}

export function error(message) {
  process.stderr.write(`${paint('31', '[start]')} ${paint('31', message)}\n`);
}

/** Writes to a closed terminal (after SIGHUP) must not crash the shutdown. */
export function ignoreBrokenPipes() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {});
  }
}
