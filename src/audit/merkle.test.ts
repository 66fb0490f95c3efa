import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { merkleRoot } from "./merkle.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

describe("Merkle roots", () => {
  it("pairs neighbours and carries an odd leaf up", () => {
    expect(merkleRoot([])).toBe(sha(""));
    expect(merkleRoot(["a"])).toBe(sha("a"));
    expect(merkleRoot(["a", "b"])).toBe(sha(sha("a") + sha("b")));
    expect(merkleRoot(["a", "b", "c"])).toBe(sha(sha(sha("a") + sha("b")) + sha("c")));
  });
  it("changes when any leaf changes, is added or is removed", () => {
    const leaves = ["s1:3:aa", "s2:1:bb", "s3:7:cc", "s4:2:dd"];
    const root = merkleRoot(leaves);
    expect(merkleRoot(["s1:3:aa", "s2:1:bX", "s3:7:cc", "s4:2:dd"])).not.toBe(root);
    expect(merkleRoot(leaves.slice(0, 3))).not.toBe(root);
    expect(merkleRoot([...leaves, "s5:1:ee"])).not.toBe(root);
  });
});
