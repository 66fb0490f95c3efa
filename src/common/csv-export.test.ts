import { describe, expect, it } from "vitest";
import { safeCell, toCsv } from "./csv-export.ts";

describe("CSV exports", () => {
  it("C-15: start with the UTF-8 byte-order mark and keep Gurmukhi names intact", () => {
    const csv = toCsv([{ key: "name", header: "Name" }], [{ name: "ਗੁਰਪ੍ਰੀਤ ਕੌਰ" }]);
    const bytes = Buffer.from(csv, "utf8");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe("Name\r\nਗੁਰਪ੍ਰੀਤ ਕੌਰ\r\n");
  });

  it("neutralise cells a spreadsheet would run as formulas", () => {
    for (const bad of ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
      expect(safeCell(bad)).toBe(`'${bad}`);
    expect(safeCell(-5)).toBe(-5);
    expect(safeCell("Harjit Singh")).toBe("Harjit Singh");
    expect(safeCell({ a: 1 })).toBe('{"a":1}');
    expect(toCsv([{ key: "x", header: "X" }], [{ x: "=1+1" }, { x: 'a,"b"' }])).toBe(
      '\uFEFFX\r\n\'=1+1\r\n"a,""b"""\r\n',
    );
  });
});
