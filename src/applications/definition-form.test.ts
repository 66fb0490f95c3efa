import { describe, expect, it } from "vitest";
import { loadDefinition } from "../catalog/definitions/load.ts";
import { applicantFields, documentChecklist } from "./definition-form.ts";

async function load(file: string) {
  const loaded = await loadDefinition(`data/services/${file}.yaml`);
  if (!loaded.ok) throw new Error(loaded.errors[0]?.message);
  return loaded.definition;
}
const residence = () => load("personnel/residence-certificate");

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

describe("applicantFields", () => {
  it("names the applicant by fullName, else by a question named …Name, never by a place", async () => {
    expect(applicantFields(await residence()).name).toBe("fullName");
    expect(applicantFields(await load("health/birth-certificate-correction")).name).toBe(
      "applicantName",
    );
    // Its first text question is the place of marriage.
    const marriage = applicantFields(await load("revenue/marriage-registration"));
    expect(marriage).toEqual({ name: "husbandName", mobile: "mobile", address: "husbandAddress" });
  });
});
