import { describe, expect, it } from "vitest";
import { visitSms } from "./sms.ts";

describe("doorstep visit SMS", () => {
  const facts = {
    number: "DV-2026-000007",
    visitDate: "2026-12-02",
    slot: "11:00",
    serviceName: "Income certificate",
    documents: ["Aadhaar card", "Ration card"],
    serviceFeePaise: 7500,
    visitFeePaise: 5000,
  };
  it("gives the number, date, window, documents and fees, in the citizen's language", () => {
    const en = visitSms("booked", "en", "9876543210", facts);
    expect(en.text).toContain("DV-2026-000007");
    expect(en.text).toContain("02-12-2026 11:00–13:00");
    expect(en.text).toContain("Aadhaar card, Ration card");
    expect(en.text).toContain("service Rs 75 + visit Rs 50");
    expect(en.templateId).toBe("SEWA-DLT-DOORSTEP-BOOKED-EN");
    const pa = visitSms("booked", "pa", "9876543210", facts);
    expect(pa.text).toMatch(/[\u0A00-\u0A7F]/);
    expect(pa.text).toContain("02-12-2026");
    const hi = visitSms("cancelled", "hi", "9876543210", facts);
    expect(hi.text).toMatch(/[\u0900-\u097F]/);
  });
});
