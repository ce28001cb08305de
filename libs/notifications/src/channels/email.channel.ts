import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  createTransport,
  type Mail,
  type SMTPSentMessageInfo,
  type SMTPTransportOptions,
} from 'nodemailer';
import { APP_CONFIG, AppConfig } from '#duban/config';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** Stable across retries of one delivery, so a repeated send is recognisable as the same mail. */
  messageId: string;
  deliveryId: string;
}

/**
 * E-mail over SMTP (nodemailer), configured by SMTP_URL; off when it is unset. Every network
 * wait is bounded: connecting, the greeting, each command, and the whole send
 * (DUBAN_SMTP_TIMEOUT_MS), so a stuck server frees the worker.
 */
@Injectable()
export class EmailChannel implements OnApplicationShutdown {
  private transport: Mail<SMTPSentMessageInfo, SMTPTransportOptions> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.SMTP_URL !== undefined;
  }

  /** `<delivery id>@<the sender's domain>`: the same for every attempt of one delivery. */
  messageIdFor(deliveryId: string): string {
    const domain = /@([^\s@<>]+)>?\s*$/.exec(this.config.SMTP_FROM)?.[1] ?? 'duban.localhost';
    return `<${deliveryId}@${domain}>`;
  }

  async send(message: EmailMessage): Promise<void> {
    const transport = this.transporter();
    const timeout = this.config.DUBAN_SMTP_TIMEOUT_MS;
    await transport.sendMail({
      from: this.config.SMTP_FROM,
      to: message.to,
      subject: message.subject,
      text: message.text,
      // Base64 keeps Chinese text intact through any relay and is easy to check in tests.
      textEncoding: 'base64',
      messageId: message.messageId,
      headers: { 'X-Duban-Delivery': message.deliveryId, 'Auto-Submitted': 'auto-generated' },
      signal: AbortSignal.timeout(timeout),
    });
  }

  private transporter(): Mail<SMTPSentMessageInfo, SMTPTransportOptions> {
    if (!this.config.SMTP_URL) throw new Error('e-mail is off: SMTP_URL is not set');
    if (!this.transport) {
      const timeout = this.config.DUBAN_SMTP_TIMEOUT_MS;
      this.transport = createTransport({
        url: this.config.SMTP_URL,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        dnsTimeout: timeout,
      });
    }
    return this.transport;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
    this.transport = null;
  }
}
