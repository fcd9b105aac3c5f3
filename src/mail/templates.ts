import type { Mail } from './mailer.ts';

export interface TemplateContext {
  appName: string;
  email: string;
  /** The link to click; it carries the single-use token. */
  link: string;
  /** How long the link works, in minutes. */
  expiresInMinutes: number;
}

export type Template = (c: TemplateContext) => Omit<Mail, 'to'>;

/** The notice to the old address when a user's email changes. */
export interface EmailChangedContext {
  appName: string;
  /** The old address, which this notice goes to. */
  email: string;
  /** The new address, masked (j***@example.com): the old address may no longer be the owner's. */
  newEmail: string;
  /** When, ISO 8601 UTC. */
  changedAt: string;
}

/** The notice to the user when a passkey is added to or removed from their account. */
export interface PasskeyChangedContext {
  appName: string;
  email: string;
  change: 'added' | 'removed';
  /** The name the user gave the passkey. */
  name: string;
  /** When, ISO 8601 UTC. */
  changedAt: string;
}

/** What changed about the factors that protect an account (the `security_notice` mail). */
export const SECURITY_EVENTS = ['totp_enabled', 'totp_removed', 'recovery_used', 'recovery_regenerated', 'factors_reset_by_admin'] as const;
export type SecurityEvent = (typeof SECURITY_EVENTS)[number];

export interface SecurityNoticeContext {
  appName: string;
  email: string;
  event: SecurityEvent;
  /** When, ISO 8601 UTC. */
  at: string;
}

/** The messages Gatehouse sends. An app overrides any with createGatehouse(config, { mailTemplates }). */
export interface MailTemplates {
  verify: Template;
  reset: Template;
  emailChanged: (c: EmailChangedContext) => Omit<Mail, 'to'>;
  passkeyChanged: (c: PasskeyChangedContext) => Omit<Mail, 'to'>;
  securityNotice: (c: SecurityNoticeContext) => Omit<Mail, 'to'>;
}

const SECURITY_SENTENCES: Record<SecurityEvent, string> = {
  totp_enabled: 'An authenticator app was set up as a second factor for your account, and new recovery codes were created.',
  totp_removed: 'The authenticator app was removed from your account.',
  recovery_used: 'One of your recovery codes was used to sign in or to confirm it was you. It cannot be used again.',
  recovery_regenerated: 'New recovery codes were created for your account; the old ones no longer work.',
  factors_reset_by_admin: 'An administrator removed the second factors (authenticator app, passkeys, recovery codes) of your account.',
};

/** j***@example.com: the first character of the local part, and the domain. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 1 ? '***' : `${email.slice(0, 1)}***${email.slice(at)}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const lifetime = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} hour${minutes === 60 ? '' : 's'}` : `${minutes} minutes`);

/** A notice: a title, what happened, and what to do if it was not the reader. */
const notice = (title: string, said: string, advice: string): Omit<Mail, 'to'> => ({
  subject: title,
  text: `${said}\n\n${advice}\n`,
  html: `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;color:#1a1a1a">
<h1 style="font-size:1.25rem">${esc(title)}</h1>
<p>${esc(said)}</p>
<p>${esc(advice)}</p>
</body></html>`,
});

const html = (title: string, body: string, c: TemplateContext, button: string) => `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;color:#1a1a1a">
<h1 style="font-size:1.25rem">${esc(title)}</h1>
<p>${esc(body)}</p>
<p><a href="${esc(c.link)}" style="display:inline-block;padding:.6rem 1rem;background:#1d4ed8;color:#fff;border-radius:.4rem;text-decoration:none">${esc(button)}</a></p>
<p style="font-size:.85rem;color:#555">The link works once, for ${esc(lifetime(c.expiresInMinutes))}. If the button does not work, paste this address into your browser:<br>${esc(c.link)}</p>
<p style="font-size:.85rem;color:#555">If you did not ask for this, ignore this message.</p>
</body></html>`;

export const defaultTemplates: MailTemplates = {
  securityNotice: (c) => {
    const when = `${c.at.slice(0, 16).replace('T', ' ')} UTC`;
    const said = `${SECURITY_SENTENCES[c.event]} (${c.email}, ${when})`;
    const advice = 'If this was you, there is nothing to do. If it was not, someone else may control your account: change your password and contact the administrator of this service at once.';
    return {
      subject: `Security change on your ${c.appName} account`,
      text: `${said}\n\n${advice}\n`,
      html: `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;color:#1a1a1a">
<h1 style="font-size:1.25rem">${esc(`Security change on your ${c.appName} account`)}</h1>
<p>${esc(said)}</p>
<p>${esc(advice)}</p>
</body></html>`,
    };
  },
  verify: (c) => ({
    subject: `Confirm your email for ${c.appName}`,
    text: `Confirm that ${c.email} is your email address for ${c.appName}:\n\n${c.link}\n\nThe link works once, for ${lifetime(c.expiresInMinutes)}. If you did not ask for this, ignore this message.\n`,
    html: html(`Confirm your email for ${c.appName}`, `Confirm that ${c.email} is your email address.`, c, 'Confirm my email'),
  }),
  reset: (c) => ({
    subject: `Reset your ${c.appName} password`,
    text: `Someone asked to reset the password of ${c.email} on ${c.appName}. To choose a new password, open:\n\n${c.link}\n\nThe link works once, for ${lifetime(c.expiresInMinutes)}. If you did not ask for this, ignore this message: your password stays as it is.\n`,
    html: html(`Reset your ${c.appName} password`, `Someone asked to reset the password of ${c.email}. Choose a new password:`, c, 'Choose a new password'),
  }),
  emailChanged: (c) => {
    const when = `${c.changedAt.slice(0, 16).replace('T', ' ')} UTC`;
    const said = `The email address of your ${c.appName} account was changed from ${c.email} to ${c.newEmail} on ${when}.`;
    const advice = 'If you made this change, there is nothing to do. If you did not, someone else may control your account: contact the administrator of this service at once.';
    return {
      subject: `Your ${c.appName} email address was changed`,
      text: `${said}\n\n${advice}\n`,
      html: `<!doctype html>
<html><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;color:#1a1a1a">
<h1 style="font-size:1.25rem">${esc(`Your ${c.appName} email address was changed`)}</h1>
<p>${esc(said)}</p>
<p>${esc(advice)}</p>
</body></html>`,
    };
  },
  passkeyChanged: (c) => {
    const when = `${c.changedAt.slice(0, 16).replace('T', ' ')} UTC`;
    const what = c.change === 'added' ? `A passkey named "${c.name}" was added to your ${c.appName} account (${c.email}) on ${when}. It can now be used to sign in.`
      : `The passkey named "${c.name}" was removed from your ${c.appName} account (${c.email}) on ${when}. It can no longer be used to sign in.`;
    const advice = 'If you made this change, there is nothing to do. If you did not, someone else may control your account: change your password, review your passkeys and sessions, and contact the administrator of this service.';
    return notice(`A passkey was ${c.change} ${c.change === 'added' ? 'to' : 'from'} your ${c.appName} account`, what, advice);
  },
};
