/**
 * `sewa doorstep …` (issue 9): the visit fee with the date it takes effect,
 * and facilitators' tehsil and capacity per slot.
 *
 * - `sewa doorstep fee --from YYYY-MM-DD --rupees N --source TEXT` adds the
 *   visit fee from that date (today or later; audited, actor `cli`), the same
 *   rule as `/admin/doorstep-fees`; `sewa doorstep fees` lists them.
 * - `sewa doorstep facilitator USERNAME --tehsil LGD --capacity N [--inactive]`
 *   records an official with a `facilitator` posting as a facilitator of a
 *   tehsil, with the visits they take per slot.
 */
import { type Command, InvalidArgumentError } from "commander";
import { sql } from "drizzle-orm";
import { DomainError } from "../common/errors.ts";
import { type Database, rows } from "../db/client.ts";
import { findOfficialByUsername } from "../identity/service.ts";
import { systemClock } from "../sla/clock.ts";
import { saveFacilitator, setVisitFee, visitFees } from "./service.ts";

const whole = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number");
  return n;
};
const rupeesOf = (v: string) => {
  if (!/^\d{1,5}(\.\d{1,2})?$/.test(v)) throw new InvalidArgumentError("rupees, like 50 or 50.50");
  return Math.round(Number(v) * 100);
};

/** Prints a DomainError's fields instead of a stack trace. */
function explain(e: unknown): never {
  if (e instanceof DomainError)
    throw new Error(
      `${e.message}${e.fields.length ? `: ${e.fields.map((f) => `${f.field} ${f.code}`).join(", ")}` : ""}`,
    );
  throw e;
}

/** Registers `sewa doorstep …` on the program. */
export function registerDoorstepCommands(
  program: Command,
  withDatabase: <T>(fn: (database: Database) => Promise<T>) => Promise<T>,
): void {
  const doorstep = program
    .command("doorstep")
    .description("doorstep delivery (helpline 1076): visit fee and facilitators");
  doorstep
    .command("fee")
    .description("add the doorstep visit fee from a date (today or later)")
    .requiredOption("--from <date>", "YYYY-MM-DD, the date it takes effect")
    .requiredOption("--rupees <amount>", "the visit fee in rupees", rupeesOf)
    .requiredOption("--source <text>", "the government order or notice that sets it")
    .action((o: { from: string; rupees: number; source: string }) =>
      withDatabase(async (database) => {
        await setVisitFee(database.db, {
          effectiveFrom: o.from,
          visitFeePaise: o.rupees,
          source: o.source,
          actor: "cli",
          now: systemClock.now(),
        }).catch(explain);
        console.log(`Visit fee ₹${(o.rupees / 100).toFixed(2)} from ${o.from}.`);
      }),
    );
  doorstep
    .command("fees")
    .description("list the doorstep visit fees, newest first")
    .action(() =>
      withDatabase(async (database) => {
        for (const f of await visitFees(database.db))
          console.log(`${f.effectiveFrom}  ₹${(f.visitFeePaise / 100).toFixed(2)}  ${f.source}`);
      }),
    );
  doorstep
    .command("facilitator <username>")
    .description("make an official with a facilitator posting a facilitator of a tehsil")
    .requiredOption("--tehsil <lgd>", "the tehsil's LGD sub-district code", whole)
    .option("--capacity <n>", "visits per slot", whole, 2)
    .option("--inactive", "take them off the roster (no new visits)")
    .action((username: string, o: { tehsil: number; capacity: number; inactive?: boolean }) =>
      withDatabase(async (database) => {
        const official = await findOfficialByUsername(database.db, username);
        if (!official) throw new Error(`no official ${username}`);
        const [t] = await rows<{ district_code: number }>(
          database.db,
          sql`select district_code from tehsils where code = ${o.tehsil}`,
        );
        if (!t) throw new Error(`no tehsil with LGD code ${o.tehsil}`);
        await saveFacilitator(database.db, {
          officialId: official.id,
          districtCode: Number(t.district_code),
          tehsilCode: o.tehsil,
          capacityPerSlot: o.capacity,
          active: !o.inactive,
        }).catch(explain);
        console.log(
          `${username}: facilitator of tehsil ${o.tehsil}, ${o.capacity} visit(s) per slot${o.inactive ? " (inactive)" : ""}.`,
        );
      }),
    );
}
