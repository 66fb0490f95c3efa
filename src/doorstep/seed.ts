/**
 * Demo staff of the doorstep scheme (seeded with the other demo officials,
 * src/setup.ts): the helpline 1076 agent (state) and two facilitators (Sewa
 * Sahayaks) in Ludhiana (East) tehsil (LGD sub-district 227, district 36;
 * data/lgd-punjab-subdistricts.csv; the scheme was launched at Dhanansu,
 * Ludhiana, on 10 Dec 2023), each taking 2 visits per slot. Demo only.
 */
import type { Queryable } from "../db/client.ts";
import { createOfficial } from "../identity/service.ts";
import { saveFacilitator } from "./service.ts";

/** LGD code of the demo facilitators' tehsil: Ludhiana (East). */
export const DEMO_DOORSTEP_TEHSIL = 227;
/** LGD code of its district: Ludhiana. */
export const DEMO_DOORSTEP_DISTRICT = 36;

/** The demo helpline agent and facilitators. */
export const DEMO_DOORSTEP_STAFF = [
  {
    username: "helpline",
    name: "Kamaljeet Kaur",
    designation: "Helpline 1076 Agent",
    role: "helpline_agent",
    level: "state",
  },
  {
    username: "sahayak.ludhiana1",
    name: "Balwinder Singh",
    designation: "Sewa Sahayak (Facilitator)",
    role: "facilitator",
    level: "tehsil",
  },
  {
    username: "sahayak.ludhiana2",
    name: "Ramandeep Kaur",
    designation: "Sewa Sahayak (Facilitator)",
    role: "facilitator",
    level: "tehsil",
  },
] as const;

/** Seeds the demo doorstep staff and the facilitators' rows (idempotent by username). */
export async function seedDoorstepDemo(
  q: Queryable,
  credentials: { password: string; totpSecret: string },
): Promise<void> {
  for (const s of DEMO_DOORSTEP_STAFF) {
    const tehsil = s.level === "tehsil";
    const official = await createOfficial(q, {
      username: s.username,
      name: s.name,
      designation: s.designation,
      password: credentials.password,
      totpSecret: credentials.totpSecret,
      posting: {
        role: s.role,
        level: s.level,
        districtCode: tehsil ? DEMO_DOORSTEP_DISTRICT : null,
        tehsilCode: tehsil ? DEMO_DOORSTEP_TEHSIL : null,
        validFrom: "2020-01-01",
      },
    });
    if (tehsil)
      await saveFacilitator(q, {
        officialId: official.id,
        districtCode: DEMO_DOORSTEP_DISTRICT,
        tehsilCode: DEMO_DOORSTEP_TEHSIL,
        capacityPerSlot: 2,
      });
  }
}
