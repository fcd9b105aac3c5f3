import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';

/**
 * nodemailer (~40 modules) is loaded with the first mail, not with the server: most processes send none for a long
 * while, many never (measured with bench/footprint, `npm run bench:footprint`).
 */
const nodemailer = async () => (await import('nodemailer')).default;

export interface Mail { to: string; subject: string; text: string; html: string }

/** Sends one message or throws; the mail queue retries. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
  readonly describe: string;
}

/** SMTP via nodemailer: SMTP_URL is smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. */
export class SmtpMailer implements Mailer {
  /** Made with the first mail (nodemailer connects only then anyway). */
  private transport: Promise<Transporter> | undefined;
  private readonly url: URL;
  private readonly from: string;
  readonly describe: string;

  constructor(url: string, from: string) {
    this.url = new URL(url);
    this.from = from;
    this.describe = `${this.url.protocol}//${this.url.host}`;
  }

  async send(mail: Mail): Promise<void> {
    this.transport ??= nodemailer().then((n) => {
      const u = this.url;
      return n.createTransport({
        host: u.hostname, port: Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587), secure: u.protocol === 'smtps:',
        auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
        connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000,
      });
    });
    await (await this.transport).sendMail({ from: this.from, ...mail });
  }

  close(): void {
    this.transport?.then((t) => t.close(), () => {});
  }
}

/**
 * Development without SMTP: each message becomes an .eml file in a folder, and the caller logs its links,
 * so a developer can click them.
 */
export class FolderMailer implements Mailer {
  private readonly dir: string;
  private readonly from: string;
  readonly describe: string;

  constructor(dir: string, from: string) {
    this.dir = dir;
    this.from = from;
    this.describe = `folder ${dir}`;
  }

  async send(mail: Mail): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const transport = (await nodemailer()).createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail({ from: this.from, ...mail });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.to.replace(/[^\w.@-]/g, '_')}.eml`;
    writeFileSync(join(this.dir, name), info.message as Buffer, { mode: 0o600 });
  }

  close(): void {}
}
