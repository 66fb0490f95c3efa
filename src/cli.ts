/**
 * The `sewa` command: migrations, seeding, imports and users.
 *
 *   sewa migrate
 *   sewa services lint [PATH]
 *   sewa seed [--demo [N]]
 *   sewa import services FILE.csv
 *   sewa import geography
 *   sewa import kendras [FILE]   (default: the illustrative data/kendras-sample.csv)
 *   sewa due-date --received 2026-03-28T10:00+05:30 --days 3 [--calendar FILE.csv] [--basis working|calendar]
 *   sewa working-days --from 2026-04-13 --to 2026-04-18 [--calendar FILE.csv]
 *   sewa audit verify | sewa audit anchor [--day DATE]
 *   sewa user create --username U --name N --role R [--district LGD [--tehsil LGD]] [--department ID] [--designation D]  (password from SEWA_PASSWORD or stdin)
 *   sewa user posting add --username U --role R [...]; sewa user posting end --id N --on DATE
 *   sewa user unlock --username U; sewa user list
 *   sewa holidays add --date D --name N [--district LGD]; sewa holidays retire --id N;
 *     sewa holidays list [--year Y] [--district LGD] [--retired]
 *   sewa api-client create --name N --department CODE --service CODE... [--webhook-url URL] [--json];
 *     sewa api-client rotate --client-id ID [--grace-hours H]; sewa api-client disable|enable --client-id ID;
 *     sewa api-client list
 *   sewa gateway-simulator [--port N] [--key-id ID] [--secret S]
 *   sewa department-simulator --port N --client-id ID --secret S [--portal URL] [--mix approved=70,sent_back=20,rejected=10]
 *     [--delay-ms MS] [--timeouts P] [--errors P] [--duplicates P] [--out-of-order P] [--seed S]
 *   sewa kendras remind-uncollected [--now ISO]
 */
import fs from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { Command, InvalidArgumentError } from "commander";
import { recomputeDueDates } from "./applications/service.ts";
import { anchorDay, verifyAnchors, verifyAudit } from "./audit/service.ts";
import { lintPath } from "./catalog/definitions/lint-path.ts";
import { describeOutcome, publishPath } from "./catalog/definitions/publish.ts";
import { formatIssue } from "./catalog/definitions/types.ts";
import { importServices } from "./catalog/service.ts";
import { DomainError } from "./common/errors.ts";
import { loadConfig } from "./config.ts";
import type { Database } from "./db/client.ts";
import { registerDoorstepCommands } from "./doorstep/cli.ts";
import { importGeography } from "./geography/service.ts";
import { STAFF_ROLES } from "./identity/roles.ts";
import {
  addPosting,
  createOfficial,
  endPosting,
  findOfficialByUsername,
  listOfficials,
  postingsOf,
  unlockOfficial,
} from "./identity/service.ts";
import {
  clientByClientId,
  createClient,
  listClients,
  rotateSecret,
  setClientStatus,
} from "./integration/clients.ts";
import { startSimulator } from "./integration/simulator/server.ts";
import { registerHandoverCommands } from "./kendras/handover/cli.ts";
import { importKendras } from "./kendras/registry/service.ts";
import { registerMonitoringCommands } from "./monitoring/cli.ts";
import { startGatewaySimulator } from "./payments/simulator.ts";
import {
  DATA_DIR,
  openAndMigrate,
  seedDemoApplications,
  seedDemoOfficials,
  seedReferenceData,
} from "./setup.ts";
import { istDateOf, systemClock } from "./sla/clock.ts";
import { addHoliday, type HolidayChange, listHolidays, retireHoliday } from "./sla/service.ts";
import { calendarFromFile, whatIfDueDate, whatIfWorkingDays } from "./sla/what-if.ts";

/** Runs `fn` with the configured, migrated database and closes it afterwards. */
async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openAndMigrate(loadConfig());
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

function progressBar(label: string) {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number");
  return n;
};

const program = new Command()
  .name("sewa")
  .description("Sewa: time-bound public services (Punjab)")
  .showHelpAfterError();

program
  .command("migrate")
  .description("apply database migrations")
  .action(() => withDatabase(async (d) => console.log(`Migrated (${d.kind}).`)));

program
  .command("seed")
  .description("load the real reference data and the demo officials; --demo adds demo applications")
  .option("--demo [count]", "also add demo applications", positiveInt)
  .action((opts: { demo?: number | true }) =>
    withDatabase(async (database) => {
      const bar = progressBar("services");
      const result = await seedReferenceData(database, (a, b) => bar.update(a, b));
      bar.stop();
      await seedDemoOfficials(database);
      console.log(
        `Geography: ${result.geography.districts} districts, ${result.geography.tehsils} tehsils, ${result.geography.urbanLocalBodies} urban local bodies.`,
      );
      console.log(`Holidays: ${result.holidays.read} read, ${result.holidays.inserted} new.`);
      console.log(
        `Services: ${result.services.inserted} inserted, ${result.services.updated} updated, ${result.services.unchanged} unchanged, ${result.services.rejected} rejected.`,
      );
      for (const o of result.definitions) console.log(describeOutcome(o));
      if (opts.demo !== undefined) {
        const count = opts.demo === true ? 40 : opts.demo;
        const demoBar = progressBar("demo applications");
        const refs = await seedDemoApplications(database, count, systemClock.now(), (a, b) =>
          demoBar.update(a, b),
        );
        demoBar.stop();
        console.log(`Demo applications: ${refs.length} (e.g. ${refs.slice(0, 3).join(", ")}).`);
      }
    }),
  );

const servicesCmd = program
  .command("services")
  .description("service definitions (YAML, see data/services/README.md)");
servicesCmd
  .command("lint [path]")
  .description("lint definitions under PATH (default data/services); exits 1 on errors, for CI")
  .action(async (target?: string) => {
    const result = await lintPath(target ?? path.join(DATA_DIR, "services"));
    for (const issue of result.issues) console.log(formatIssue(issue));
    console.log(`${result.files.length} definition file(s), ${result.issues.length} issue(s).`);
    process.exitCode = result.exitCode;
  });
servicesCmd
  .command("publish <path>")
  .description(
    "publish the definition file(s) at PATH as new immutable versions (unchanged ones are skipped); exits 1 when any file has lint errors",
  )
  .action((target: string) =>
    withDatabase(async (database) => {
      const outcomes = await publishPath(database.db, target, "cli", systemClock.now());
      for (const o of outcomes) console.log(describeOutcome(o));
      if (outcomes.some((o) => o.result === "refused")) process.exitCode = 1;
    }),
  );

const importCmd = program.command("import").description("import reference data");
importCmd
  .command("services <file>")
  .description("import the PMU's notified-services schedule (CSV; see docs/services-schedule.md)")
  .action((file: string) =>
    withDatabase(async (database) => {
      const text = fs.readFileSync(file, "utf8");
      const bar = progressBar("services");
      const summary = await importServices(database.db, text, (a, b) => bar.update(a, b));
      bar.stop();
      for (const e of summary.errors)
        console.error(`${file}:${e.line}: ${e.column ? `${e.column}: ` : ""}${e.reason}`);
      console.log(
        `Inserted ${summary.inserted}, updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected}.`,
      );
      if (summary.rejected > 0) process.exitCode = 1;
    }),
  );
importCmd
  .command("kendras [file]")
  .description(
    "import the Sewa Kendra registry (CSV; see docs/kendras.md); default: the illustrative data/kendras-sample.csv. Any error: nothing is written, exit 1",
  )
  .action((file?: string) =>
    withDatabase(async (database) => {
      const target = file ?? path.join(DATA_DIR, "kendras-sample.csv");
      const summary = await importKendras(
        database.db,
        fs.readFileSync(target, "utf8"),
        systemClock.now().toString(),
      );
      for (const e of summary.errors)
        console.error(`${target}:${e.line}: ${e.column ? `${e.column}: ` : ""}${e.message}`);
      if (summary.errors.length) {
        console.error(`${summary.errors.length} error(s): nothing was imported.`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `Sewa Kendras: ${summary.read} read, ${summary.inserted} inserted, ${summary.updated} updated, ${summary.unchanged} unchanged.`,
      );
    }),
  );
importCmd
  .command("geography")
  .description("import districts, tehsils and urban local bodies (LGD) from data/")
  .action(() =>
    withDatabase(async (database) => {
      const r = await database.db.transaction((tx) => importGeography(tx, DATA_DIR));
      console.log(
        `Districts ${r.districts}, tehsils ${r.tehsils}, urban local bodies ${r.urbanLocalBodies}.`,
      );
    }),
  );

program
  .command("due-date")
  .description("print the due date (YYYY-MM-DD) for an application received at an instant")
  .requiredOption(
    "--received <instant>",
    "ISO 8601 instant with offset, e.g. 2026-03-28T10:00+05:30",
  )
  .requiredOption("--days <n>", "time limit in days", positiveInt)
  .option(
    "--calendar <csv>",
    "holiday calendar CSV (date,name[,kind])",
    path.join(DATA_DIR, "punjab-gazetted-holidays.csv"),
  )
  .option("--basis <basis>", "working or calendar", "working")
  .action((opts: { received: string; days: number; calendar: string; basis: string }) => {
    if (opts.basis !== "working" && opts.basis !== "calendar")
      throw new InvalidArgumentError("--basis must be working or calendar");
    console.log(
      whatIfDueDate(calendarFromFile(opts.calendar), opts.received, opts.days, opts.basis),
    );
  });

program
  .command("working-days")
  .description("print the number of working days after --from up to and including --to")
  .requiredOption("--from <date>", "YYYY-MM-DD")
  .requiredOption("--to <date>", "YYYY-MM-DD")
  .option(
    "--calendar <csv>",
    "holiday calendar CSV (date,name[,kind])",
    path.join(DATA_DIR, "punjab-gazetted-holidays.csv"),
  )
  .action((opts: { from: string; to: string; calendar: string }) => {
    console.log(whatIfWorkingDays(calendarFromFile(opts.calendar), opts.from, opts.to));
  });

const audit = program.command("audit").description("the hash-chained audit log");
audit
  .command("verify")
  .description(
    "walk every chain and every daily anchor; report the first broken link (exit 1 when broken)",
  )
  .action(() =>
    withDatabase(async (database) => {
      const result = await verifyAudit(database.db);
      const anchor = await verifyAnchors(database.db);
      if (result.ok && !anchor) console.log(`Audit log intact: ${result.records} records.`);
      if (!result.ok)
        console.error(
          `Audit log broken at ${result.stream} record ${result.seq}: ${result.reason}.`,
        );
      if (anchor) console.error(`Audit anchor of ${anchor.day} broken: ${anchor.reason}.`);
      if (!result.ok || anchor) process.exitCode = 1;
    }),
  );
audit
  .command("anchor")
  .description(
    "record the Merkle root of all audit streams for a day (the daily job does this after midnight IST)",
  )
  .option("--day <date>", "the day to anchor, YYYY-MM-DD (default: today, IST)")
  .action((opts: { day?: string }) =>
    withDatabase(async (database) => {
      const a = await database.db.transaction((tx) =>
        anchorDay(tx, opts.day ?? istDateOf(systemClock.now())),
      );
      console.log(`Anchor ${a.day}: ${a.root} (${a.streams} streams, ${a.records} records).`);
    }),
  );

const user = program
  .command("user")
  .description("manage staff users and their postings (every change is audited)");

type PostingOpts = {
  role: string;
  district?: number;
  tehsil?: number;
  department?: number;
  kendra?: string;
  office?: string;
  from?: string;
  to?: string;
};
const postingOptions = (c: Command) =>
  c
    .requiredOption("--role <role>", `one of: ${STAFF_ROLES.join(", ")}`)
    .option(
      "--district <lgd>",
      "district LGD code (omit both --district and --tehsil for a state-wide posting)",
      positiveInt,
    )
    .option("--tehsil <lgd>", "tehsil LGD code (needs --district)", positiveInt)
    .option("--department <id>", "department id (omit for every department)", positiveInt)
    .option(
      "--kendra <code>",
      "Sewa Kendra code (kendra_operator and kendra_manager; in --district)",
    )
    .option("--office <office>", "office name")
    .option("--from <date>", "first day, YYYY-MM-DD (default today)")
    .option("--to <date>", "last day, YYYY-MM-DD (default open-ended)");
const postingOf = (o: PostingOpts) => ({
  role: o.role,
  level: (o.tehsil !== undefined ? "tehsil" : o.district !== undefined ? "district" : "state") as
    | "state"
    | "district"
    | "tehsil",
  districtCode: o.district ?? null,
  tehsilCode: o.tehsil ?? null,
  departmentId: o.department ?? null,
  kendraCode: o.kendra ?? null,
  office: o.office,
  validFrom: o.from ?? istDateOf(systemClock.now()),
  validTo: o.to ?? null,
});

postingOptions(
  user
    .command("create")
    .description(
      "create or update a staff user with a posting; the password comes from SEWA_PASSWORD or the first line of standard input",
    )
    .requiredOption("--username <username>")
    .requiredOption("--name <name>")
    .option("--designation <designation>", "designation shown on decisions", "Officer"),
).action((opts: PostingOpts & { username: string; name: string; designation: string }) =>
  withDatabase(async (database) => {
    const password =
      process.env.SEWA_PASSWORD ?? fs.readFileSync(0, "utf8").split(/\r?\n/)[0] ?? "";
    const official = await database.db.transaction((tx) =>
      createOfficial(
        tx,
        {
          username: opts.username,
          name: opts.name,
          designation: opts.designation,
          password,
          posting: postingOf(opts),
        },
        "cli",
      ),
    );
    console.log(`User ${official.username} (${opts.role}) saved.`);
  }),
);

const posting = user.command("posting").description("add or end postings");
postingOptions(
  posting
    .command("add")
    .description("add a posting to a user")
    .requiredOption("--username <username>"),
).action((opts: PostingOpts & { username: string }) =>
  withDatabase(async (database) => {
    const official = await findOfficialByUsername(database.db, opts.username);
    if (!official) throw new Error(`no such user: ${opts.username}`);
    const p = await database.db.transaction((tx) =>
      addPosting(tx, official.id, postingOf(opts), "cli"),
    );
    console.log(
      `Posting ${p.id} added: ${p.role}, ${p.level}${p.districtCode ? ` ${p.districtCode}` : ""}${p.tehsilCode ? `/${p.tehsilCode}` : ""}, from ${p.validFrom}.`,
    );
  }),
);
posting
  .command("end")
  .description("end a posting on a date (inclusive)")
  .requiredOption("--id <id>", "posting id", positiveInt)
  .requiredOption("--on <date>", "last day, YYYY-MM-DD")
  .action((opts: { id: number; on: string }) =>
    withDatabase(async (database) => {
      await database.db.transaction((tx) => endPosting(tx, opts.id, opts.on, "cli"));
      console.log(`Posting ${opts.id} ends on ${opts.on}.`);
    }),
  );

user
  .command("unlock")
  .description("unlock a user locked after failed sign-ins")
  .requiredOption("--username <username>")
  .action((opts: { username: string }) =>
    withDatabase(async (database) => {
      await database.db.transaction((tx) => unlockOfficial(tx, opts.username, "cli"));
      console.log(`User ${opts.username} unlocked.`);
    }),
  );

user
  .command("list")
  .description("list users and their postings")
  .action(() =>
    withDatabase(async (database) => {
      for (const o of await listOfficials(database.db)) {
        const ps = await postingsOf(database.db, o.id);
        const lock = o.lockedAt ? " [locked]" : "";
        console.log(`${o.username}${lock}: ${o.name}, ${o.designation}`);
        for (const p of ps)
          console.log(
            `  #${p.id} ${p.role} ${p.level}${p.districtCode ? ` district ${p.districtCode}` : ""}${p.tehsilCode ? ` tehsil ${p.tehsilCode}` : ""}${p.departmentId ? ` department ${p.departmentId}` : ""} ${p.validFrom}..${p.validTo ?? ""}`,
          );
      }
    }),
  );

// ------------------------------------------------------------------ holidays (issue 4)

/** A DomainError from the holiday service as one line: "Check the holiday: date invalid, name required". */
const holidayProblem = (e: unknown) =>
  e instanceof DomainError && e.fields.length > 0
    ? new Error(
        `${e.message}: ${e.fields.map((f) => `${f.field} ${f.code.replace(/_/g, " ")}`).join(", ")}`,
      )
    : e;

/** Runs the recompute a holiday change calls for, inline, and prints what moved. */
async function recomputeInline(database: Database, change: HolidayChange): Promise<void> {
  if (!change.recompute) {
    console.log("No due date can move (not a working day, or the holiday does not close offices).");
    return;
  }
  const r = await recomputeDueDates(database.db, { ...change.recompute, now: systemClock.now() });
  console.log(`Open applications checked: ${r.examined}; due dates moved: ${r.changed}.`);
}

const holidays = program
  .command("holidays")
  .description(
    "add, retire or list holidays (audited; due dates of open applications are recomputed)",
  );
holidays
  .command("add")
  .description(
    "add a gazetted (state-wide) holiday, or a local one with --district (declared by the Deputy Commissioner)",
  )
  .requiredOption("--date <date>", "YYYY-MM-DD")
  .requiredOption("--name <name>", "as written in the notification")
  .option("--district <lgd>", "district LGD code: makes it a local holiday", positiveInt)
  .option("--source <url>", "link to the notification")
  .option("--notes <notes>", "notes")
  .action(
    (opts: { date: string; name: string; district?: number; source?: string; notes?: string }) =>
      withDatabase(async (database) => {
        const now = systemClock.now();
        const change = await database.db
          .transaction((tx) =>
            addHoliday(
              tx,
              {
                date: opts.date,
                name: opts.name,
                kind: opts.district === undefined ? "gazetted" : "local",
                districtCode: opts.district ?? null,
                sourceUrl: opts.source,
                notes: opts.notes,
              },
              "cli",
              now,
            ),
          )
          .catch((e) => {
            throw holidayProblem(e);
          });
        const h = change.holiday;
        console.log(
          `Holiday ${h.id} added: ${h.date} ${h.name} (${h.districtCode === null ? "state-wide" : `district ${h.districtCode}`}).`,
        );
        await recomputeInline(database, change);
      }),
  );
holidays
  .command("retire")
  .description("retire a holiday: offices are open on that date again (the record is kept)")
  .requiredOption("--id <id>", "holiday id (see sewa holidays list)", positiveInt)
  .action((opts: { id: number }) =>
    withDatabase(async (database) => {
      const now = systemClock.now();
      const change = await database.db
        .transaction((tx) => retireHoliday(tx, opts.id, "cli", now))
        .catch((e) => {
          throw holidayProblem(e);
        });
      console.log(`Holiday ${opts.id} retired: ${change.holiday.date} ${change.holiday.name}.`);
      await recomputeInline(database, change);
    }),
  );
holidays
  .command("list")
  .description("list the holidays of a year (state-wide, and local ones)")
  .option("--year <year>", "YYYY (default: this year, IST)", positiveInt)
  .option("--district <lgd>", "only state-wide ones and this district's", positiveInt)
  .option("--retired", "include retired holidays")
  .action((opts: { year?: number; district?: number; retired?: boolean }) =>
    withDatabase(async (database) => {
      const year = opts.year ?? Number(istDateOf(systemClock.now()).slice(0, 4));
      const list = await listHolidays(database.db, {
        year,
        districtCode: opts.district,
        includeRetired: opts.retired === true,
      });
      for (const h of list)
        console.log(
          `#${h.id} ${h.date} ${h.kind}${h.districtCode === null ? "" : ` district ${h.districtCode}`} ${h.name}${h.retiredAt ? " [retired]" : ""}`,
        );
      console.log(`${list.length} holiday(s) in ${year}.`);
    }),
  );

// ---------------------------------------------------------------- integration (issue 10)

const apiClient = program
  .command("api-client")
  .description("department systems using the integration API (docs/integration.md)");
apiClient
  .command("create")
  .description("register a department system; prints its client id and secret once")
  .requiredOption("--name <name>", "the system's name")
  .requiredOption("--department <code>", "department code")
  .requiredOption("--service <code...>", "service codes it handles (of that department)")
  .option("--webhook-url <url>", "where Sewa sends webhooks")
  .option("--json", "print JSON")
  .action(
    (opts: {
      name: string;
      department: string;
      service: string[];
      webhookUrl?: string;
      json?: boolean;
    }) =>
      withDatabase(async (database) => {
        const issued = await createClient(
          database.db,
          {
            name: opts.name,
            departmentCode: opts.department,
            serviceCodes: opts.service,
            webhookUrl: opts.webhookUrl,
          },
          { actor: "cli", now: systemClock.now(), serverSecret: loadConfig().secretKey },
        );
        const out = {
          clientId: issued.client.clientId,
          secret: issued.secret,
          webhookKey: issued.webhookKey,
        };
        if (opts.json) console.log(JSON.stringify(out));
        else
          console.log(
            `Client id: ${out.clientId}\nClient secret (shown once): ${out.secret}\nWebhook signing key (derived from the secret): ${out.webhookKey}`,
          );
      }),
  );
apiClient
  .command("rotate")
  .description("issue a new secret; the old one stays valid for the grace period")
  .requiredOption("--client-id <id>", "the client id")
  .option("--grace-hours <hours>", "hours the old secret stays valid", positiveInt, 24)
  .action((opts: { clientId: string; graceHours: number }) =>
    withDatabase(async (database) => {
      const client = await clientByClientId(database.db, opts.clientId);
      if (!client) throw new Error(`no client ${opts.clientId}`);
      const issued = await rotateSecret(database.db, client.id, {
        actor: "cli",
        now: systemClock.now(),
        serverSecret: loadConfig().secretKey,
        graceHours: opts.graceHours,
      });
      console.log(`New client secret (shown once): ${issued.secret}`);
      console.log(`New webhook signing key: ${issued.webhookKey}`);
    }),
  );
for (const [name, status] of [
  ["disable", "disabled"],
  ["enable", "active"],
] as const)
  apiClient
    .command(name)
    .description(`${name} a system (a disabled one gets no token and no webhook)`)
    .requiredOption("--client-id <id>", "the client id")
    .action((opts: { clientId: string }) =>
      withDatabase(async (database) => {
        const client = await clientByClientId(database.db, opts.clientId);
        if (!client) throw new Error(`no client ${opts.clientId}`);
        await setClientStatus(database.db, client.id, status, {
          actor: "cli",
          now: systemClock.now(),
        });
        console.log(`${opts.clientId}: ${status}`);
      }),
    );
apiClient
  .command("list")
  .description("list the registered systems with their last use")
  .action(() =>
    withDatabase(async (database) => {
      for (const c of await listClients(database.db))
        console.log(
          `${c.client_id}\t${c.status}\t${c.department}\t${c.services} service(s)\tlast used ${c.last_used_at ?? "never"}\t${c.webhook_url ?? "(no webhooks)"}`,
        );
    }),
  );

const fraction = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError("must be a number from 0 to 1");
  return n;
};
program
  .command("gateway-simulator")
  .description("run the payment-gateway simulator (src/payments/simulator.ts) until stopped")
  .option("--port <port>", "port to listen on", positiveInt, 3101)
  .option("--host <host>", "interface to bind", "127.0.0.1")
  .option("--key-id <id>", "merchant key id the portal uses (SEWA_GATEWAY_KEY_ID)", "sewa-dev")
  .option(
    "--secret <secret>",
    "merchant secret the portal uses (SEWA_GATEWAY_SECRET)",
    "development-only-gateway-secret",
  )
  .action(async (opts: { port: number; host: string; keyId: string; secret: string }) => {
    const simulator = await startGatewaySimulator(opts);
    console.log(
      `Payment gateway simulator at ${simulator.url} (start the portal with SEWA_GATEWAY_URL=${simulator.url} SEWA_GATEWAY_KEY_ID=${opts.keyId} SEWA_GATEWAY_SECRET=…)`,
    );
    const stop = () => simulator.close().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

program
  .command("department-simulator")
  .description(
    "run a simulated department back-office against a portal (src/integration/simulator/)",
  )
  .requiredOption("--port <port>", "port to listen on (webhooks at /webhooks)", positiveInt)
  .requiredOption("--client-id <id>", "the API client id")
  .requiredOption("--secret <secret>", "the API client secret")
  .option("--portal <url>", "the portal's base URL", "http://127.0.0.1:3000")
  .option(
    "--mix <weights>",
    "approved=70,sent_back=20,rejected=10",
    "approved=70,sent_back=20,rejected=10",
  )
  .option("--delay-ms <ms>", "wait between 'under process' and the decision", positiveInt, 0)
  .option("--timeouts <p>", "probability of answering a webhook too late", fraction, 0)
  .option("--errors <p>", "probability of answering a webhook with 500", fraction, 0)
  .option("--duplicates <p>", "probability of sending an update twice", fraction, 0)
  .option("--out-of-order <p>", "probability of late updates after the decision", fraction, 0)
  .option("--hang-ms <ms>", "how long a late answer hangs", positiveInt, 15000)
  .option("--seed <seed>", "seed of the decisions and misbehaviour", "")
  .action(
    async (opts: {
      port: number;
      clientId: string;
      secret: string;
      portal: string;
      mix: string;
      delayMs: number;
      timeouts: number;
      errors: number;
      duplicates: number;
      outOfOrder: number;
      hangMs: number;
      seed: string;
    }) => {
      const mix: Record<string, number> = {};
      for (const part of opts.mix.split(",")) {
        const [k, v] = part.split("=");
        if (!k || !["approved", "sent_back", "rejected"].includes(k) || !(Number(v) >= 0))
          throw new Error(`--mix: bad part ${part}`);
        mix[k] = Number(v);
      }
      const sim = await startSimulator({
        port: opts.port,
        portalUrl: opts.portal,
        clientId: opts.clientId,
        secret: opts.secret,
        mix,
        delayMs: opts.delayMs,
        timeouts: opts.timeouts,
        errors: opts.errors,
        duplicates: opts.duplicates,
        outOfOrder: opts.outOfOrder,
        hangMs: opts.hangMs,
        seed: opts.seed,
        log: (line) => console.log(line),
      });
      console.log(
        `Department simulator at ${sim.url} (webhooks: ${sim.url}/webhooks, status: ${sim.url}/status)`,
      );
      const stop = async () => {
        await sim.close();
        process.exit(0);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      await new Promise(() => {});
    },
  );

registerMonitoringCommands(program, withDatabase, progressBar);
registerHandoverCommands(program, withDatabase);
registerDoorstepCommands(program, withDatabase);

try {
  await program.parseAsync();
} catch (e) {
  console.error(`sewa: ${(e as Error).message}`);
  process.exitCode = 1;
}
