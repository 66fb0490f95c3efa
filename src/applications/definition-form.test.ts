import { describe, expect, it } from "vitest";
import { loadDefinition } from "../catalog/definitions/load.ts";
import { documentChecklist } from "./definition-form.ts";

async function residence() {
  const loaded = await loadDefinition("data/services/personnel/residence-certificate.yaml");
  if (!loaded.ok) throw new Error(loaded.errors[0]?.message);
  return loaded.definition;
}

describe("documentChecklist", () => {
  it("tests document conditions on a draft's answers as posted ('yes'), not only on validated ones (true)", async () => {
    const def = await residence();
    for (const bornInPunjab of ["yes", true]) {
      const { items, missing } = documentChecklist(
        def,
        { bornInPunjab, ownsProperty: "no" },
        { identityAddressProof: ["u1"], selfDeclaration: ["u2"] },
      );
      // The any-one-of group applies: its documents are not each required on their own.
      expect(missing).toEqual(["birthPlaceProof"]);
      expect(items.find((i) => i.item.id === "birthCertificate")?.group?.id).toBe(
        "birthPlaceProof",
      );
      expect(items.some((i) => i.item.id === "propertyProof")).toBe(false);
    }
    const born = documentChecklist(
      def,
      { bornInPunjab: "yes" },
      { identityAddressProof: ["u1"], selfDeclaration: ["u2"], passportBirthPlace: ["u3"] },
    );
    expect(born.missing).toEqual([]);
  });
});
