import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message an SMTP client handed over with DATA, whether the server accepted it or not. */
export interface ReceivedMail {
  accepted: boolean;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_all, _charset: string, enc: string, data: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64').toString('utf8')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-F]{2})/gi, (_m, h: string) =>
                  String.fromCharCode(parseInt(h, 16)),
                ),
              'latin1',
            ).toString('utf8'),
    );
}

/** Headers (unfolded, encoded words decoded, names lower-cased) and the decoded text body. */
export function parseMail(raw: string): Omit<ReceivedMail, 'accepted' | 'to'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  const body = raw.slice(split + 4);
  const text =
    headers['content-transfer-encoding']?.toLowerCase() === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : body;
  return {
    headers,
    subject: headers['subject'] ?? '',
    messageId: headers['message-id'] ?? '',
    text,
  };
}

/**
 * A real SMTP server on 127.0.0.1 (random port) that records every message and refuses the
 * next `failNext` ones at the end of DATA, as a flaky relay would (451, try again later).
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  failNext = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 500,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accepted = this.failNext <= 0;
        if (!accepted) this.failNext -= 1;
        this.received.push({
          accepted,
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        if (accepted) return callback();
        const err = new Error('mailbox temporarily unavailable, try again later') as Error & {
          responseCode: number;
        };
        err.responseCode = 451;
        callback(err);
      });
    },
  });

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return (this.server.server.address() as AddressInfo).port;
  }

  accepted(): ReceivedMail[] {
    return this.received.filter((m) => m.accepted);
  }

  /** Messages (accepted or refused) to one address. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP receiver on 127.0.0.1 that records posts and answers with `status(request)`
 * (0: holds the request without ever answering).
 */
export class TestWebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private readonly server: Server;

  constructor(private readonly status: (post: ReceivedPost) => number = () => 200) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const post = {
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.posts.push(post);
        const code = this.status(post);
        // 0: never answer, like a robot behind a stuck proxy.
        if (code === 0) return;
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(code < 300 ? { errcode: 0, errmsg: 'ok' } : { error: 'boom' }));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) =>
      this.server.close((err) => (err ? reject(err) : resolve())),
    );
  }
}
