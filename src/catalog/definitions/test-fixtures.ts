/**
 * Test data for the definitions module: a small definition with no lint
 * errors, built fresh on every call so a test can break one thing and check
 * that the linter, loader or compiler notices exactly that. Not used by
 * production code.
 */
import type { LocalisedText, ServiceDefinition } from "./types.ts";

/** A text in all three languages (real words, so the script check passes). */
export function text(en: string, pa = "ਪਾਠ", hi = "पाठ"): LocalisedText {
  return { en, pa, hi };
}

const file = { accept: ["pdf", "jpeg", "png"] as ("pdf" | "jpeg" | "png")[], maxBytes: 2_097_152 };

/**
 * A minimal marriage-registration-like definition: name, date of birth, a
 * married yes/no with a conditional date of marriage (rule: after the date of
 * birth), a category radio for a fee exemption, copies, an upload and a
 * family group; a clerk → officer workflow with a deficiency loop.
 */
export function minimalDefinition(): ServiceDefinition {
  return {
    schemaVersion: 1,
    code: "test-service",
    department: "testing",
    name: text("Test service"),
    description: text("A service for tests"),
    act: "Punjab Transparency and Accountability in Delivery of Public Services Act, 2018",
    notification: { reference: "TEST/1", sources: ["src1"] },
    timeLimit: { days: 7, basis: "working", sources: ["src1"] },
    roles: [
      { id: "clerk", name: text("Clerk"), staffRole: "dealing_clerk" },
      { id: "officer", name: text("Officer"), staffRole: "designated_officer" },
      { id: "appellate", name: text("Appellate"), staffRole: "first_appellate_authority" },
    ],
    designatedOfficer: "officer",
    firstAppellateAuthority: "appellate",
    officerSources: ["src1"],
    eligibility: [{ text: text("Anyone"), sources: ["src1"] }],
    channels: {
      online: { enabled: true },
      sewaKendra: { enabled: true },
      doorstep: { enabled: false },
    },
    form: {
      tasks: [
        { id: "t1", title: text("About you"), pages: ["p1", "p2"] },
        { id: "t2", title: text("Finish"), pages: ["p3", "p4"] },
      ],
      pages: [
        {
          id: "p1",
          title: text("You"),
          fields: [
            {
              id: "fullName",
              type: "text",
              label: text("Full name"),
              errors: { required: text("Enter your full name", "ਆਪਣਾ ਪੂਰਾ ਨਾਮ ਦਰਜ ਕਰੋ") },
            },
            { id: "dateOfBirth", type: "date", label: text("Date of birth"), max: "today" },
            { id: "mobile", type: "mobile", label: text("Mobile number") },
          ],
        },
        {
          id: "p2",
          title: text("Marriage"),
          fields: [
            { id: "married", type: "yesno", label: text("Are you married?") },
            {
              id: "dateOfMarriage",
              type: "date",
              label: text("Date of marriage"),
              when: { field: "married", equals: true },
            },
            {
              id: "category",
              type: "radios",
              label: text("Category"),
              options: [
                { value: "general", label: text("General") },
                { value: "sc", label: text("Scheduled Caste") },
                { value: "bc", label: text("Backward Class") },
              ],
            },
          ],
        },
        {
          id: "p3",
          title: text("Family"),
          fields: [
            {
              id: "family",
              type: "group",
              required: false,
              label: text("Family members"),
              itemLabel: text("Family member"),
              max: 5,
              fields: [
                { id: "memberName", type: "text", label: text("Name") },
                { id: "memberAadhaar", type: "aadhaar", label: text("Aadhaar"), required: false },
              ],
            },
          ],
        },
        {
          id: "p4",
          title: text("Copies and papers"),
          fields: [
            { id: "copies", type: "number", label: text("Copies"), min: 1, max: 5 },
            { id: "photo", type: "file", label: text("Photo"), ...file },
          ],
        },
      ],
      rules: [
        {
          id: "marriageAfterBirth",
          field: "dateOfMarriage",
          op: "after",
          other: "dateOfBirth",
          message: text(
            "Date of marriage must be after date of birth",
            "ਵਿਆਹ ਦੀ ਮਿਤੀ ਜਨਮ ਮਿਤੀ ਤੋਂ ਬਾਅਦ ਦੀ ਹੋਣੀ ਚਾਹੀਦੀ ਹੈ",
            "विवाह की तिथि जन्म तिथि के बाद की होनी चाहिए",
          ),
        },
      ],
    },
    documents: {
      items: [
        { id: "idCard", name: text("Identity card"), ...file, sources: ["src1"] },
        { id: "voterCard", name: text("Voter card"), ...file },
        { id: "passport", name: text("Passport"), ...file },
        {
          id: "marriageProof",
          name: text("Marriage proof"),
          ...file,
          when: { field: "married", equals: true },
          sources: ["src1"],
        },
      ],
      groups: [
        {
          id: "addressProof",
          name: text("Proof of address (any one)"),
          documents: ["voterCard", "passport"],
          sources: ["src1"],
        },
      ],
    },
    fees: {
      rules: [
        {
          kind: "per_copy",
          id: "perCopy",
          label: text("Fee per copy"),
          amountPaise: 5000,
          maxCopies: 5,
          sources: ["src1"],
        },
      ],
      exemptions: [
        {
          id: "scBc",
          label: text("SC and BC applicants"),
          when: { field: "category", in: ["sc", "bc"] },
          sources: ["src1"],
        },
      ],
    },
    workflow: {
      initial: "submitted",
      states: [
        { id: "submitted", name: text("Submitted"), holder: "department", shareDays: 2 },
        { id: "decision", name: text("With the officer"), holder: "department", shareDays: 4 },
        { id: "sentBack", name: text("Sent back"), holder: "applicant" },
        {
          id: "approved",
          name: text("Approved"),
          holder: "department",
          terminal: true,
          outcome: "delivered",
        },
        {
          id: "rejected",
          name: text("Rejected"),
          holder: "department",
          terminal: true,
          outcome: "rejected",
        },
      ],
      actions: [
        {
          id: "forward",
          name: text("Forward"),
          from: ["submitted"],
          to: "decision",
          roles: ["clerk"],
        },
        {
          id: "approve",
          name: text("Approve"),
          from: ["decision"],
          to: "approved",
          roles: ["officer"],
        },
        {
          id: "reject",
          name: text("Reject"),
          from: ["decision"],
          to: "rejected",
          roles: ["officer"],
          remarks: "required",
        },
        {
          id: "sendBack",
          name: text("Send back"),
          from: ["submitted", "decision"],
          to: "sentBack",
          roles: ["clerk", "officer"],
          remarks: "required",
        },
        {
          id: "resubmit",
          name: text("Resubmit"),
          from: ["sentBack"],
          to: "submitted",
          roles: ["applicant"],
        },
      ],
    },
    output: { kind: "certificate", template: "test-certificate", sources: ["src1"] },
    sources: [
      {
        id: "src1",
        title: "A test source",
        url: "https://example.org/source",
        kind: "official",
        accessed: "2026-11-30",
      },
    ],
    meta: { translation: { machineAssisted: false, reviewed: true } },
  };
}

/** Valid answers to {@link minimalDefinition} (canonical form: what validate() returns, bar Aadhaar). */
export function minimalAnswers(): Record<string, unknown> {
  return {
    fullName: "Gurpreet Kaur",
    dateOfBirth: "1990-03-27",
    mobile: "9876543210",
    married: true,
    dateOfMarriage: "2015-11-02",
    category: "general",
    copies: 2,
    photo: ["upload_1"],
  };
}
