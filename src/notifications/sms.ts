/**
 * SMS channel: an adapter interface, and the console adapter used in
 * development (it prints the message; nothing is sent). An HTTP gateway
 * adapter with DLT template IDs arrives with the notifications issue.
 */

/** One SMS to send. `templateId` is the DLT template registered for the text (TRAI TCCCPR 2018). */
export type Sms = { to: string; text: string; templateId?: string };

/** Sends SMS. Implementations must not log message text in production. */
export type SmsSender = { send(sms: Sms): Promise<void> };

/** Prints each SMS to standard output (development only). */
export function consoleSms(print: (line: string) => void = (l) => console.log(l)): SmsSender {
  return {
    async send(sms) {
      print(`[sms to ${sms.to}] ${sms.text}`);
    },
  };
}

/** Keeps every SMS in memory, for tests. */
export function capturingSms(): SmsSender & { sent: Sms[] } {
  const sent: Sms[] = [];
  return {
    sent,
    async send(sms) {
      sent.push(sms);
    },
  };
}
