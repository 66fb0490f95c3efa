/**
 * Email channel: an adapter interface, SMTP through nodemailer (any SMTP
 * server: `smtp://user:pass@host:587` with STARTTLS, or `smtps://` for
 * implicit TLS, RFC 8314), and a capturing adapter for tests. Mail is plain
 * text UTF-8, so Gurmukhi and Devanagari go through unchanged (RFC 6532 not
 * needed: only the body and the encoded subject carry non-ASCII).
 */
import nodemailer from "nodemailer";
import { SendError, type SendReceipt } from "./sms.ts";

/** One email to send. */
export type Email = { to: string; subject: string; text: string; lang?: string };

/** Sends email. */
// biome-ignore lint/suspicious/noConfusingVoidType: adapters that return nothing (no provider id) stay valid
export type EmailSender = { send(mail: Email): Promise<void | SendReceipt> };

/**
 * An SMTP sender. `url` is a nodemailer connection URL (env `SEWA_SMTP_URL`),
 * `from` the sender address (env `SEWA_MAIL_FROM`).
 * @throws SendError: permanent on an SMTP 5xx reply (RFC 5321 §4.2.1), retryable otherwise.
 */
export function smtpEmail(url: string, from: string): EmailSender & { close(): void } {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.lang ? { headers: { "Content-Language": mail.lang } } : {}),
        });
        return { providerMessageId: info.messageId };
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        throw new SendError(
          `SMTP: ${code ?? (e as Error).message}`,
          code !== undefined && code >= 500,
        );
      }
    },
    close: () => transport.close(),
  };
}

/** Keeps every email in memory, for tests. */
export function capturingEmail(): EmailSender & { sent: Email[] } {
  const sent: Email[] = [];
  return {
    sent,
    async send(mail) {
      sent.push(mail);
    },
  };
}
