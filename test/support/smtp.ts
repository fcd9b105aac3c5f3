// A real SMTP server in the test process (the smtp-server package) on 127.0.0.1: Gatehouse's mail goes out over
// SMTP with nodemailer and lands here, parsed with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface TestSmtp {
  url: string;
  messages: ParsedMail[];
  /** While true, every message is refused with a temporary failure (451). */
  failing: boolean;
  /** The first message to `to` whose subject matches, among those received after the first `since`, waiting up to `ms`. */
  waitFor(to: string, subject: RegExp, since?: number, ms?: number): Promise<ParsedMail>;
  /** The link in a message's text part. */
  linkIn(mail: ParsedMail): URL;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const state = { failing: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      if (state.failing) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then((mail) => { messages.push(mail); callback(); }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const recipient = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address?.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get failing() { return state.failing; },
    set failing(v: boolean) { state.failing = v; },
    async waitFor(to, subject, since = 0, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const m = messages.slice(since).find((x) => recipient(x).includes(to.toLowerCase()) && subject.test(x.subject ?? ''));
        if (m) return m;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no mail to ${to} matching ${subject} within ${ms} ms (got ${messages.length} messages)`);
    },
    linkIn(mail) {
      const m = /https?:\/\/\S+\?token=[\w-]+/.exec(mail.text ?? '');
      if (!m) throw new Error(`no link in: ${mail.text}`);
      return new URL(m[0]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
