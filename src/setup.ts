/**
 * Start-up and seeding shared by `npm start` and the `sewa` CLI: open the
 * database, migrate, and seed the real reference data and the demo officials
 * into an empty database.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Temporal } from "temporal-polyfill";
import {
  decide,
  findApplicationByReference,
  resubmit,
  submitApplication,
} from "./applications/service.ts";
import { publishPath } from "./catalog/definitions/publish.ts";
import { importCatalogTranslations, importServices, searchServices } from "./catalog/service.ts";
import type { Config } from "./config.ts";
import { type Database, migrate, openDatabase } from "./db/client.ts";
import { seedDoorstepDemo } from "./doorstep/seed.ts";
import { seedDoorstepFees } from "./doorstep/service.ts";
import { countGeography, importGeography, listTehsils } from "./geography/service.ts";
import { actorFor, createOfficial } from "./identity/service.ts";
import { importKendras } from "./kendras/registry/service.ts";
import { istDateOf, systemClock } from "./sla/clock.ts";
import { importHolidays } from "./sla/service.ts";

/** The repository's `data/` folder (shipped reference data). */
export const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../data");

/** The demo officials' shared password (printed in README.md; demo only). */
export const DEMO_PASSWORD = "sewa-demo-2026";

/**
 * The demo officials' TOTP secret (base32, RFC 6238): add it to an
 * authenticator app to sign in as any demo official. Demo only.
 */
export const DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPSEWAPUNJABDEMO23";

/** The Sewa Kendra the demo counter staff work at: the Type I centre of Ludhiana in data/kendras-sample.csv. */
export const DEMO_KENDRA_CODE = "SK-36-001";

/** Demo officials for two districts (LGD 36 Ludhiana, 41 Patiala) and state-wide roles, posted since 2020. */
export const DEMO_OFFICIALS = [
  {
    username: "do.ludhiana",
    name: "Harpreet Kaur",
    designation: "Designated Officer (Tehsildar)",
    role: "designated_officer",
    level: "district",
    districtCode: 36,
  },
  {
    username: "clerk.ludhiana",
    name: "Gurdeep Singh",
    designation: "Dealing Clerk",
    role: "dealing_clerk",
    level: "district",
    districtCode: 36,
  },
  {
    username: "do.patiala",
    name: "Manpreet Sandhu",
    designation: "Designated Officer (Tehsildar)",
    role: "designated_officer",
    level: "district",
    districtCode: 41,
  },
  {
    username: "operator.ludhiana",
    name: "Jaspreet Kaur",
    designation: "Sewa Kendra Operator",
    role: "kendra_operator",
    level: "district",
    districtCode: 36,
    kendraCode: DEMO_KENDRA_CODE,
  },
  {
    username: "manager.ludhiana",
    name: "Rajwinder Singh",
    designation: "Sewa Kendra Manager",
    role: "kendra_manager",
    level: "district",
    districtCode: 36,
    kendraCode: DEMO_KENDRA_CODE,
  },
  {
    username: "ho.punjab",
    name: "Head Office Monitor",
    designation: "Head Office, Department of Governance Reforms",
    role: "head_office",
    level: "state",
    districtCode: null,
  },
  {
    username: "pmu",
    name: "PMU Service Designer",
    designation: "Project Management Unit, Department of Governance Reforms",
    role: "pmu_admin",
    level: "state",
    districtCode: null,
  },
  {
    username: "accounts",
    name: "Accounts Officer",
    designation: "Accounts Officer, Department of Governance Reforms",
    role: "accounts",
    level: "state",
    districtCode: null,
  },
  {
    username: "auditor",
    name: "Audit Officer",
    designation: "Auditor",
    role: "auditor",
    level: "state",
    districtCode: null,
  },
  {
    username: "admin",
    name: "System Administrator",
    designation: "System Administrator",
    role: "system_admin",
    level: "state",
    districtCode: null,
  },
] as const;

/** Opens the configured database and applies migrations. */
export async function openAndMigrate(
  config: Pick<Config, "databaseUrl" | "dataDir">,
): Promise<Database> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  return database;
}

/** Reference data: geography, holidays, and the notified-services sample. Idempotent. */
export async function seedReferenceData(
  database: Database,
  onProgress?: (done: number, total: number) => void,
) {
  const { db } = database;
  const geography = await db.transaction((tx) => importGeography(tx, DATA_DIR));
  const holidays = await db.transaction((tx) =>
    importHolidays(tx, path.join(DATA_DIR, "punjab-gazetted-holidays.csv")),
  );
  const services = await importServices(
    db,
    fs.readFileSync(path.join(DATA_DIR, "punjab-notified-services.csv"), "utf8"),
    onProgress,
  );
  await importCatalogTranslations(db, path.join(DATA_DIR, "catalog-translations.csv"));
  // The doorstep visit fee with the dates it took effect, as sourced (data/doorstep-fees.csv).
  await db.transaction((tx) => seedDoorstepFees(tx, path.join(DATA_DIR, "doorstep-fees.csv")));
  // The illustrative Sewa Kendra registry, until the state provides its list (data/README.md).
  const kendras = await importKendras(
    db,
    fs.readFileSync(path.join(DATA_DIR, "kendras-sample.csv"), "utf8"),
    systemClock.now().toString(),
  );
  if (kendras.errors.length)
    throw new Error(`data/kendras-sample.csv: ${kendras.errors.map((e) => e.message).join("; ")}`);
  // Every definition kept in git goes live (those with lint errors are skipped and reported).
  const definitions = await publishPath(
    db,
    path.join(DATA_DIR, "services"),
    "seed",
    systemClock.now(),
  );
  // Again: departments first named by a definition get their Punjabi and Hindi names too.
  await importCatalogTranslations(db, path.join(DATA_DIR, "catalog-translations.csv"));
  return { geography, holidays, services, definitions, kendras };
}

/** The demo officials (idempotent by username). */
export async function seedDemoOfficials(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const o of DEMO_OFFICIALS) {
      await createOfficial(tx, {
        username: o.username,
        name: o.name,
        designation: o.designation,
        password: DEMO_PASSWORD,
        totpSecret: DEMO_TOTP_SECRET,
        posting: {
          role: o.role,
          level: o.level,
          districtCode: o.districtCode,
          kendraCode: "kendraCode" in o ? o.kendraCode : null,
          validFrom: "2020-01-01",
        },
      });
    }
    // Helpline 1076 and two facilitators in Ludhiana (East) (src/doorstep/seed.ts).
    await seedDoorstepDemo(tx, { password: DEMO_PASSWORD, totpSecret: DEMO_TOTP_SECRET });
  });
}

/** Seeds reference data and demo officials when the database has no districts yet. Returns whether it seeded. */
export async function seedIfEmpty(database: Database): Promise<boolean> {
  const counts = await countGeography(database.db);
  if (counts.districts > 0) return false;
  await seedReferenceData(database);
  await seedDemoOfficials(database);
  return true;
}

/**
 * Demo applications (`sewa seed --demo`): `count` applications across the demo
 * districts and the catalog, some sent back, resubmitted or decided.
 * Deterministic for a given count (no randomness).
 */
export async function seedDemoApplications(
  database: Database,
  count: number,
  now: Temporal.Instant,
  onProgress?: (done: number, total: number) => void,
) {
  const { db } = database;
  const services = (await searchServices(db, {})).filter((s) => s.timeLimitDays !== null);
  const names = [
    "Gurpreet Kaur",
    "Harjit Singh",
    "Simranjeet Kaur",
    "Rajinder Kumar",
    "Amandeep Singh",
    "Navneet Kaur",
    "Sukhwinder Singh",
    "Paramjit Kaur",
  ];
  const officials = { 36: "do.ludhiana", 41: "do.patiala" } as const;
  const created: string[] = [];
  for (let i = 0; i < count; i++) {
    const district = i % 2 === 0 ? 36 : 41;
    const tehsils = await listTehsils(db, district);
    const service = services[i % services.length];
    const tehsil = tehsils[i % tehsils.length];
    if (!service || !tehsil) throw new Error("reference data missing: seed first");
    const receivedAt = now.subtract({ hours: 24 * ((i * 7) % 40) + (i % 9) });
    const result = await submitApplication(db, {
      application: {
        serviceId: service.id,
        applicant: {
          name: names[i % names.length] as string,
          relativeName: names[(i + 3) % names.length] as string,
          gender: i % 3 === 0 ? "male" : "female",
          dateOfBirth: `${1960 + (i % 40)}-${String((i % 12) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`,
          mobile: `98${String(10000000 + i * 7919).slice(-8)}`,
        },
        address: {
          line1: `House ${i + 1}, Main Bazaar`,
          districtCode: district,
          tehsilCode: tehsil.code,
          pincode: district === 36 ? "141001" : "147001",
        },
        purpose: "Demo application (sewa seed --demo)",
        declaration: true,
      },
      documentIds: [],
      channel: i % 4 === 0 ? "kendra" : "online",
      idempotencyKey: `demo-${i}-${receivedAt.epochMilliseconds}`,
      now: receivedAt,
    });
    created.push(result.reference);
    const official = await officialFor(database, officials[district]);
    const row = await findApplicationByReference(db, result.reference);
    if (row && i % 5 === 1) {
      await decide(
        db,
        official,
        row.reference,
        {
          action: "send_back",
          remark: "Attach a clear copy of the proof of address.",
          version: row.version,
        },
        receivedAt.add({ hours: 26 }),
      );
      if (i % 10 === 1) {
        const again = await findApplicationByReference(db, row.reference);
        if (again)
          await resubmit(db, again, {
            application: again.formData as never,
            documentIds: [],
            version: again.version,
            now: receivedAt.add({ hours: 75 }),
          });
      }
    } else if (row && i % 5 === 2) {
      await decide(
        db,
        official,
        row.reference,
        { action: "approve", remark: "Verified and approved.", version: row.version },
        receivedAt.add({ hours: 50 }),
      );
    } else if (row && i % 7 === 3) {
      await decide(
        db,
        official,
        row.reference,
        {
          action: "reject",
          remark: "The applicant is not a resident of this tehsil.",
          version: row.version,
        },
        receivedAt.add({ hours: 30 }),
      );
    }
    onProgress?.(i + 1, count);
  }
  return created;
}

async function officialFor(database: Database, username: string) {
  return actorFor(database.db, username, istDateOf(systemClock.now()));
}
