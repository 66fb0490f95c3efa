/**
 * SMS channel: an adapter interface, the console adapter used in development
 * (it prints the message; nothing is sent), a capturing adapter for tests,
 * and a generic HTTP gateway adapter that sends the DLT template id with each
 * message (TRAI TCCCPR 2018: Indian operators drop transactional SMS whose
 * template id is missing or does not match the registered text).
 */

/** One SMS to send. `templateId` is the DLT template registered for the text (TRAI TCCCPR 2018). */
export type Sms = { to: string; text: string; templateId?: string };

/** What a provider returned for an accepted message (its id, used to match delivery callbacks). */
export type SendReceipt = { providerMessageId?: string };

/** Sends SMS. Implementations must not log message text in production. */
// biome-ignore lint/suspicious/noConfusingVoidType: adapters that return nothing (no provider id) stay valid
export type SmsSender = { send(sms: Sms): Promise<void | SendReceipt> };

/**
 * A failed send. `permanent` failures (the provider refused the message, e.g.
 * HTTP 400/401/403/422) are not retried; others (timeouts, HTTP 5xx, 429) are.
 */
export class SendError extends Error {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = "SendError";
    this.permanent = permanent;
  }
}

/** Prints each SMS to standard output (development only). */
export function consoleSms(print: (line: string) => void = (l) => console.log(l)): SmsSender {
  return {
    async send(sms) {
      print(`[sms to ${sms.to}${sms.templateId ? ` template ${sms.templateId}` : ""}] ${sms.text}`);
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

/** Settings of a generic HTTP SMS gateway. */
export type HttpSmsOptions = {
  /** The gateway's send endpoint (env `SEWA_SMS_GATEWAY_URL`). */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>` (env `SEWA_SMS_API_KEY`). */
  apiKey: string;
  /** The 6-character DLT header (sender id), e.g. `PBSEWA` (env `SEWA_SMS_SENDER_ID`). */
  senderId: string;
  /** The DLT principal entity id of the department, when the gateway needs it per message. */
  entityId?: string;
  /** Milliseconds before a request is abandoned (a retryable failure); default 10 000. */
  timeoutMs?: number;
};

/**
 * An HTTP SMS gateway adapter. POSTs JSON
 * `{ sender, to, text, dltTemplateId, dltEntityId? }` (`to` as `91` + the
 * 10-digit mobile, E.164 without `+`) and reads an optional provider message
 * id from the JSON reply (`id` or `messageId`).
 * @throws SendError: permanent on HTTP 4xx other than 408/429; retryable on
 *   HTTP 5xx, 408, 429, timeouts and network errors.
 */
export function httpSms(opts: HttpSmsOptions): SmsSender {
  return {
    async send(sms) {
      let res: Response;
      try {
        res = await fetch(opts.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${opts.apiKey}`,
          },
          body: JSON.stringify({
            sender: opts.senderId,
            to: /^\d{10}$/.test(sms.to) ? `91${sms.to}` : sms.to,
            text: sms.text,
            dltTemplateId: sms.templateId,
            ...(opts.entityId ? { dltEntityId: opts.entityId } : {}),
          }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
      } catch (e) {
        throw new SendError(`SMS gateway unreachable: ${(e as Error).message}`, false);
      }
      const body = await res.text();
      if (!res.ok) {
        const permanent = res.status >= 400 && res.status < 500 && ![408, 429].includes(res.status);
        throw new SendError(`SMS gateway HTTP ${res.status}`, permanent);
      }
      try {
        const json = JSON.parse(body) as { id?: unknown; messageId?: unknown };
        const id = json.id ?? json.messageId;
        return id === undefined ? {} : { providerMessageId: String(id) };
      } catch {
        return {};
      }
    },
  };
}
