import { describe, expect, it } from "vitest";
import { parseSchedule, SCHEDULE_COLUMNS, serviceCode } from "./schedule.ts";

const header = SCHEDULE_COLUMNS.join(",");
const row = (over: Partial<Record<(typeof SCHEDULE_COLUMNS)[number], string>> = {}) => {
  const base: Record<string, string> = {
    serial: "1",
    department: "Revenue",
    service_name: "Demarcation of land",
    time_limit_days: "45",
    time_limit_basis: "working",
    designated_officer: "Circle Revenue Officer",
    first_appellate_authority: "",
    second_appellate_authority: "",
    fee_inr: "",
    source_url: "",
    act: "Punjab Right to Service Act 2011",
    service_list: "351-service list",
    notes: "",
    ...over,
  };
  return SCHEDULE_COLUMNS.map((c) => `"${(base[c] ?? "").replace(/"/g, '""')}"`).join(",");
};

describe("the notified-services schedule", () => {
  it("reads a row into a service with paise, basis and a stable code", () => {
    const { rows, errors } = parseSchedule(`${header}\n${row({ fee_inr: "१२०.5" })}\n`);
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({
      line: 2,
      feePaise: 12050,
      timeLimitDays: 45,
      timeLimitBasis: "working",
      departmentCode: "revenue",
    });
    expect(rows[0]?.code).toBe(serviceCode("Demarcation of land", "351-service list", "1"));
    expect(rows[0]?.code).toMatch(/^demarcation-of-land-[0-9a-f]{6}$/);
  });

  it("treats a blank or 'Immediate' limit as immediate (null)", () => {
    const { rows } = parseSchedule(
      `${header}\n${row({ time_limit_days: "" })}\n${row({ serial: "2", time_limit_days: "Immediate" })}\n`,
    );
    expect(rows.map((r) => r.timeLimitDays)).toEqual([null, null]);
  });

  it("reports each bad row with its line and column, and keeps the good ones", () => {
    const text = [
      header,
      row({ serial: "1" }),
      row({ serial: "2", time_limit_days: "-3" }),
      row({ serial: "3", fee_inr: "abc", time_limit_basis: "hours" }),
      '"4","Revenue","short row"',
      row({ serial: "5", time_limit_days: "400" }),
      row({ serial: "1", service_name: "Same serial again" }),
    ].join("\n");
    const { rows, errors } = parseSchedule(text);
    expect(rows.map((r) => r.serial)).toEqual(["1"]);
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [3, "time_limit_days"],
      [4, "time_limit_basis"],
      [4, "fee_inr"],
      [5, ""],
      [6, "time_limit_days"],
      [7, "serial"],
    ]);
  });

  it("rejects malformed CSV as a whole without throwing", () => {
    const { rows, errors } = parseSchedule(`${header}\n"unclosed,quote\n`);
    expect(rows).toEqual([]);
    expect(errors[0]?.reason).toMatch(/not valid CSV/);
  });
});
