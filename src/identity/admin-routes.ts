/**
 * Administration of staff users and their postings (`users.manage`, held by
 * the system administrator): list, create, add or end a posting, unlock after
 * failed sign-ins, reset the authenticator. Every change is audited by the
 * identity service.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { listDepartments } from "../catalog/service.ts";
import { DomainError } from "../common/errors.ts";
import { listDistricts, listTehsils } from "../geography/service.ts";
import { kendraName, listKendras } from "../kendras/registry/service.ts";
import { istDateOf } from "../sla/clock.ts";
import { staffNav } from "../workflow/routes.ts";
import { STAFF_ROLES } from "./roles.ts";
import {
  addPosting,
  createOfficial,
  endPosting,
  listOfficials,
  type NewPosting,
  postingsOf,
  resetTotp,
  unlockOfficial,
} from "./service.ts";
import { type Staff, staffOrRedirect } from "./session.ts";

const str = (v: unknown, max = 200) => (typeof v === "string" ? v.trim().slice(0, max) : "");
const int = (v: unknown) =>
  typeof v === "string" && /^\d{1,9}$/.test(v.trim()) ? Number(v) : null;

/** Roles that work at a Sewa Kendra: their posting must name one (`kendraCode`). */
const KENDRA_ROLES = ["kendra_operator", "kendra_manager"];

/**
 * The posting described by a posted form: the tehsil decides the level, then the district, else the state.
 * @throws DomainError validation (field `kendraCode`, code `required`) when a Sewa Kendra role names no centre.
 */
function postingFrom(body: Record<string, unknown>, today: string): NewPosting {
  const districtCode = int(body.districtCode);
  const tehsilCode = int(body.tehsilCode);
  const role = str(body.role, 40);
  const kendraCode = str(body.kendraCode, 32) || null;
  if (KENDRA_ROLES.includes(role) && kendraCode === null)
    throw new DomainError("validation", "choose the Sewa Kendra of this posting", [
      { field: "kendraCode", code: "required" },
    ]);
  return {
    role,
    kendraCode,
    level: tehsilCode !== null ? "tehsil" : districtCode !== null ? "district" : "state",
    districtCode,
    tehsilCode,
    departmentId: int(body.departmentId),
    office: str(body.office),
    validFrom: /^\d{4}-\d{2}-\d{2}$/.test(str(body.validFrom, 10))
      ? str(body.validFrom, 10)
      : today,
  };
}

/** Registers `/admin/users`. */
export async function userAdminRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps.database;
  const today = () => istDateOf(app.deps.clock.now());

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    staff: Staff,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const officials = await listOfficials(db);
    const users = [];
    for (const o of officials) users.push({ ...o, postings: await postingsOf(db, o.id) });
    const [districts, tehsils, departments, kendras] = await Promise.all([
      listDistricts(db),
      listTehsils(db),
      listDepartments(db),
      listKendras(db, { activeOnly: true }),
    ]);
    return reply.code(status).view("identity/views/users.njk", {
      official: staff.official,
      users,
      roles: STAFF_ROLES,
      districts,
      departments,
      tehsilGroups: districts.map((d) => ({
        district: d,
        tehsils: tehsils.filter((t) => t.districtCode === d.code),
      })),
      kendraGroups: districts
        .map((d) => ({
          district: d,
          kendras: kendras
            .filter((k) => k.districtCode === d.code)
            .map((k) => ({ code: k.code, name: kendraName(k, request.lang) })),
        }))
        .filter((g) => g.kendras.length > 0),
      today: today(),
      values: {},
      navItems: staffNav(request, staff),
      ...extra,
    });
  }

  /** Runs an admin action; a validation problem re-renders the page with an error summary. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    fn: (staff: Staff, body: Record<string, unknown>) => Promise<unknown>,
  ) {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await fn(staff, body);
    } catch (e) {
      if (!(e instanceof DomainError) && !(e instanceof Error && /username/.test(e.message)))
        throw e;
      const kendraProblem =
        e instanceof DomainError && e.fields[0]?.field === "kendraCode" ? e.fields[0].code : "";
      const message = kendraProblem
        ? request.t(`kendraRegistry.posting.errors.${kendraProblem}`)
        : e instanceof DomainError && e.fields[0]?.code === "breached"
          ? request.t("users.errors.breached")
          : e instanceof DomainError && e.fields[0]?.code === "too_short"
            ? request.t("users.errors.short")
            : request.t("users.errors.invalid", { detail: e.message });
      const values = { ...body, password: "" };
      return render(
        request,
        reply,
        staff,
        {
          errors: [{ text: message, href: kendraProblem ? "#kendraCode" : "#username" }],
          values,
          ...(kendraProblem ? { kendraError: message } : {}),
        },
        400,
      );
    }
    return reply.redirect("/admin/users?saved=1", 303);
  }

  app.get("/admin/users", { schema: { hide: true } }, async (request, reply) => {
    const staff = await staffOrRedirect(request, reply, "users.manage");
    if (!staff) return reply;
    return render(request, reply, staff, {
      saved: (request.query as { saved?: string }).saved === "1",
    });
  });

  app.post("/admin/users", { schema: { hide: true } }, (request, reply) =>
    act(request, reply, (staff, body) =>
      db.transaction((tx) =>
        createOfficial(
          tx,
          {
            username: str(body.username, 64).toLowerCase(),
            name: str(body.name),
            designation: str(body.designation),
            password: typeof body.password === "string" ? body.password : "",
            posting: postingFrom(body, today()),
          },
          `official:${staff.official.id}`,
        ),
      ),
    ),
  );

  app.post("/admin/users/:id/postings", { schema: { hide: true } }, (request, reply) =>
    act(request, reply, (staff, body) =>
      db.transaction((tx) =>
        addPosting(
          tx,
          Number((request.params as { id: string }).id),
          postingFrom(body, today()),
          `official:${staff.official.id}`,
        ),
      ),
    ),
  );

  app.post("/admin/postings/:id/end", { schema: { hide: true } }, (request, reply) =>
    act(request, reply, (staff) =>
      db.transaction((tx) =>
        endPosting(
          tx,
          Number((request.params as { id: string }).id),
          today(),
          `official:${staff.official.id}`,
        ),
      ),
    ),
  );

  app.post("/admin/users/:username/unlock", { schema: { hide: true } }, (request, reply) =>
    act(request, reply, (staff) =>
      db.transaction((tx) =>
        unlockOfficial(
          tx,
          (request.params as { username: string }).username,
          `official:${staff.official.id}`,
        ),
      ),
    ),
  );

  app.post("/admin/users/:username/reset-totp", { schema: { hide: true } }, (request, reply) =>
    act(request, reply, (staff) =>
      db.transaction((tx) =>
        resetTotp(
          tx,
          (request.params as { username: string }).username,
          `official:${staff.official.id}`,
        ),
      ),
    ),
  );
}
