/**
 * The monitoring commands of the `sewa` CLI:
 * - `sewa simulate --applications N --days D [--seed S] [--today YYYY-MM-DD]
 *   [--kendra-scale X] [--no-kendras]`: fills the database with a simulated
 *   history (simulate.ts), with a progress bar, then the Sewa Kendras'
 *   tokens, day closes, feedback and doorstep visits over the same days
 *   (src/kendras/audit/simulate.ts; skipped with `--no-kendras`);
 * - `sewa monitoring rebuild`: recomputes the pendency rollup from the raw rows
 *   (after a change of the holiday list, which moves disposal times);
 * - `sewa monitoring compact`: folds the rollup's pending deltas in.
 *
 * @module
 */
import { type Command, InvalidArgumentError } from "commander";
import type { Database } from "../db/client.ts";
import { simulateKendras } from "../kendras/audit/simulate.ts";
import { istDateOf, systemClock } from "../sla/clock.ts";
import { compact, rebuild } from "./repository.ts";
import { simulate } from "./simulate.ts";

type WithDatabase = <T>(fn: (d: Database) => Promise<T>) => Promise<T>;
type ProgressBar = (label: string) => {
  update(done: number, total: number): void;
  stop(): void;
};

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("must be a positive whole number");
  return n;
};
const date = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new InvalidArgumentError("must be YYYY-MM-DD");
  return v;
};

/** Adds `simulate` and `monitoring …` to the program. */
export function registerMonitoringCommands(
  program: Command,
  withDatabase: WithDatabase,
  progressBar: ProgressBar,
): void {
  program
    .command("simulate")
    .description(
      "fill the database with a simulated, deterministic history (pages then say 'simulated')",
    )
    .requiredOption("--applications <n>", "number of applications", positive)
    .requiredOption("--days <d>", "history length in calendar days, ending today", positive)
    .option("--seed <s>", "PRNG seed (same seed and --today, same data)", positive, 1)
    .option("--today <date>", "last day of the history, YYYY-MM-DD (default: today, IST)", date)
    .option("--batch <n>", "rows per INSERT batch", positive, 5000)
    .option(
      "--kendra-scale <x>",
      "Sewa Kendra footfall multiplier (1 = about 20 tokens per counter per day)",
      (v: string) => {
        const n = Number(v);
        if (!(n > 0) || !Number.isFinite(n))
          throw new InvalidArgumentError("must be a positive number");
        return n;
      },
      1,
    )
    .option("--no-kendras", "do not simulate Sewa Kendra tokens, closes, feedback and visits")
    .action(
      (opts: {
        applications: number;
        days: number;
        seed: number;
        today?: string;
        batch: number;
        kendraScale: number;
        kendras: boolean;
      }) =>
        withDatabase(async (database) => {
          const today = opts.today ?? istDateOf(systemClock.now());
          const bar = progressBar("applications");
          const started = Date.now();
          const result = await simulate(database, {
            applications: opts.applications,
            days: opts.days,
            seed: opts.seed,
            today,
            batch: opts.batch,
            onProgress: (done) => bar.update(done, opts.applications),
            onRebuild: () => {
              bar.stop();
              console.log("Rebuilding the pendency rollup…");
            },
          });
          console.log(
            `Simulated ${result.applications} applications (${result.events} events, ${result.appeals} appeals, ${result.penalties} penalties, ${result.officials} new officers) up to ${today} in ${Math.round((Date.now() - started) / 1000)} s.`,
          );
          if (opts.kendras) {
            const kbar = progressBar("Sewa Kendra days");
            const k = await simulateKendras(database, {
              days: opts.days,
              today,
              seed: opts.seed,
              scale: opts.kendraScale,
              onProgress: (done) => kbar.update(done, opts.days),
            });
            kbar.stop();
            console.log(
              k.kendras === 0
                ? "No Sewa Kendra in the registry: nothing simulated for the Kendra audit (sewa import kendras)."
                : `Simulated ${k.kendras} Sewa Kendras: ${k.tokens} tokens, ${k.assisted} assisted and ${k.doorstepApplications} doorstep applications, ${k.closes} day closes, ${k.feedback} feedback requests, ${k.visits} doorstep visits, ${k.handovers} outputs to hand over.`,
            );
          }
        }),
    );
  const monitoring = program.command("monitoring").description("the pendency rollup");
  monitoring
    .command("rebuild")
    .description("recompute the pendency rollup from the raw rows")
    .action(() =>
      withDatabase(async (database) => {
        await rebuild(database.db);
        console.log("Rollup rebuilt.");
      }),
    );
  monitoring
    .command("compact")
    .description("fold the rollup's pending deltas in")
    .action(() =>
      withDatabase(async (database) => {
        console.log(`${await compact(database.db)} cell(s) updated.`);
      }),
    );
}
