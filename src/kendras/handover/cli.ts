/**
 * The handover commands of the `sewa` CLI (issue 9):
 * - `sewa kendras remind-uncollected [--now ISO]`: sends the one SMS reminder
 *   of every output uncollected for 30 calendar days or more (the same work
 *   as the daily `remind-uncollected` job; idempotent). The reminders are
 *   queued in the outbox; the running portal's `notify` worker sends them.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import type { Database } from "../../db/client.ts";
import { parseInstant, systemClock } from "../../sla/clock.ts";
import { remindUncollected } from "./service.ts";

type WithDatabase = <T>(fn: (d: Database) => Promise<T>) => Promise<T>;

const instant = (v: string) => {
  try {
    return parseInstant(v);
  } catch {
    throw new InvalidArgumentError(
      "must be an instant with an offset, e.g. 2026-04-01T09:00+05:30",
    );
  }
};

/** Adds `kendras remind-uncollected` to the program (to the `kendras` command if another module made it). */
export function registerHandoverCommands(program: Command, withDatabase: WithDatabase): void {
  const kendras =
    program.commands.find((c) => c.name() === "kendras") ??
    program.command("kendras").description("Sewa Kendras: counters, handover, feedback");
  kendras
    .command("remind-uncollected")
    .description(
      "queue one SMS reminder per output uncollected for 30 calendar days or more (idempotent)",
    )
    .option("--now <instant>", "the instant to run as (default: now)", instant)
    .action((opts: { now?: ReturnType<typeof parseInstant> }) =>
      withDatabase(async (database) => {
        const { reminded } = await remindUncollected(database.db, opts.now ?? systemClock.now());
        console.log(`${reminded} reminder(s) queued`);
      }),
    );
}
