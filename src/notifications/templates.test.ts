import { describe, expect, it } from "vitest";
import { smsParts } from "./sms-parts.ts";
import en from "./templates/en.json" with { type: "json" };
import hi from "./templates/hi.json" with { type: "json" };
import pa from "./templates/pa.json" with { type: "json" };
import { DLT_TEMPLATE_IDS, NOTIFY_LANGS, render, TEMPLATE_KEYS } from "./templates.ts";

const submitted = { reference: "PB-2025-000123", dueDate: "2025-10-30", mobile: "9876500000" };

describe("notification templates", () => {
  it("renders the submitted message in Punjabi, Hindi and English with reference and due date", () => {
    expect(render("application.submitted", "en", submitted)?.sms).toEqual({
      text: "Sewa Punjab: application PB-2025-000123 received. Service due by 30-10-2025. Track at sewa.punjab.gov.in",
      templateId: "SEWA-DLT-SUBMITTED-EN",
    });
    expect(render("application.submitted", "pa", submitted)?.sms).toEqual({
      text: "ਸੇਵਾ ਪੰਜਾਬ: ਅਰਜ਼ੀ PB-2025-000123 ਪ੍ਰਾਪਤ ਹੋਈ। ਸੇਵਾ 30-10-2025 ਤੱਕ। ਪੋਰਟਲ ਤੇ ਵੇਖੋ।",
      templateId: "SEWA-DLT-SUBMITTED-PA",
    });
    expect(render("application.submitted", "hi", submitted)?.email.subject).toBe(
      "आवेदन PB-2025-000123 प्राप्त हुआ",
    );
  });

  it("says what is missing, the reason and how to appeal", () => {
    const back = render("application.sent_back", "en", { reference: "R1", remark: "Ration card" });
    expect(back?.sms.text).toContain("needs more from you: Ration card.");
    const rej = render("application.rejected", "pa", { reference: "R1", remark: "ਪਤਾ ਗ਼ਲਤ" });
    expect(rej?.sms.text).toContain("ਰੱਦ: ਪਤਾ ਗ਼ਲਤ");
    expect(rej?.email.text).toContain("30 ਦਿਨਾਂ ਦੇ ਅੰਦਰ");
    expect(rej?.sms.templateId).toBe("SEWA-DLT-REJECTED-PA");
  });

  it("gives the approved message a short ASCII link to the application, and the receipt its amount in rupees", () => {
    const approved = render("application.approved", "pa", { reference: "LDH-K7M3-PQ7X" });
    expect(approved?.sms.text).toMatch(/https?:\/\/[\x21-\x7e]+\/t\/LDH-K7M3-PQ7X$/);
    const paid = render("payment.received", "en", {
      reference: "R1",
      amountPaise: 15000,
      receiptNumber: "RCPT-2025-26-0000001",
    });
    expect(paid?.sms.text).toBe(
      "Sewa Punjab: fee of Rs 150.00 received for application R1. Receipt RCPT-2025-26-0000001.",
    );
    expect(paid?.sms.templateId).toBe("SEWA-DLT-PAYMENT-RECEIVED-EN");
  });

  it("renders appeal events, the hearing time in IST", () => {
    expect(
      render("appeal.hearing", "en", { reference: "R1", at: "2025-11-03T05:30:00Z" })?.sms.text,
    ).toBe("Sewa Punjab: hearing of your appeal on application R1 on 03-11-2025 11:00.");
    expect(render("appeal.decided", "hi", { reference: "R1", outcome: "dismiss" })?.key).toBe(
      "appeal_decided_dismiss",
    );
    expect(
      render("appeal.decided", "en", {
        reference: "R1",
        outcome: "deliver",
        deadline: "2025-12-01",
      })?.sms.text,
    ).toContain("delivered by 01-12-2025");
  });

  it("has every template in every language with the same placeholders, and no unknown topic", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of TEMPLATE_KEYS) {
      for (const cat of [pa, hi]) {
        const a = (en as Record<string, Record<string, string>>)[key];
        const b = (cat as Record<string, Record<string, string>>)[key];
        expect(b, key).toBeDefined();
        for (const f of ["sms", "subject", "email"]) {
          expect(placeholders(b?.[f] ?? ""), `${key}.${f}`).toEqual(placeholders(a?.[f] ?? ""));
          expect(b?.[f]).not.toBe(a?.[f]);
        }
      }
      for (const l of NOTIFY_LANGS) expect(DLT_TEMPLATE_IDS[key][l]).toMatch(/^SEWA-DLT-[A-Z-]+$/);
    }
    expect(render("application.unknown", "en", {})).toBeUndefined();
  });

  it("keeps citizen SMS within 2 parts in every language", () => {
    for (const key of TEMPLATE_KEYS)
      for (const l of NOTIFY_LANGS) {
        const r = render(`application.${key}`, l, {
          reference: "PB-2025-000123",
          dueDate: "2025-10-30",
          remark: "x",
        });
        if (r) expect(smsParts(r.sms.text).parts, `${key} ${l}`).toBeLessThanOrEqual(2);
      }
  });
});
