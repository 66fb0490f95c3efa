/**
 * The Sewa Kendra registry on both databases: the shipped sample is seeded,
 * an import with any error writes nothing, a re-import changes nothing, the
 * finder page and the API list a district's active centres, and the user
 * administration page requires (and checks) the centre of a Sewa Kendra posting.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/client.ts";
import { testDatabases } from "../../db/testing.ts";
import { findOfficialByUsername, postingsOf, startSession } from "../../identity/service.ts";
import { DEMO_KENDRA_CODE } from "../../setup.ts";
import { startTestPortal, type TestPortal } from "../../web/testing.ts";
import { getKendra, importKendras, KENDRA_CSV_COLUMNS } from "./service.ts";

const header = KENDRA_CSV_COLUMNS.join(",");
const row = (code: string, name: string, extra = "36,228,II,3,09:00,17:00,7") =>
  `${code},"${name}","ਸੇਵਾ ਕੇਂਦਰ ${name}","सेवा केंद्र ${name}",${extra},,,"Somewhere",1,test`;

describe.each(testDatabases())("Sewa Kendra registry on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which, "2026-02-02T10:00:00+05:30");
  });
  afterAll(async () => portal?.close());
  const count = async () =>
    (await rows<{ n: number }>(portal.database.db, sql`select count(*)::int as n from kendras`))[0]
      ?.n;

  it("seeds the illustrative sample and posts the demo counter staff at the Ludhiana Type I centre", async () => {
    expect(await count()).toBe(30);
    const k = await getKendra(portal.database.db, DEMO_KENDRA_CODE);
    expect(k).toMatchObject({
      districtCode: 36,
      type: "I",
      source: "illustrative",
      latitude: null,
    });
    for (const username of ["operator.ludhiana", "manager.ludhiana"]) {
      const o = await findOfficialByUsername(portal.database.db, username);
      const postings = await postingsOf(portal.database.db, o?.id as number);
      expect(postings.map((p) => p.kendraCode)).toEqual([DEMO_KENDRA_CODE]);
    }
  });

  it("writes nothing when any row has an error, and reports line and column", async () => {
    const before = await count();
    const summary = await importKendras(
      portal.database.db,
      [header, row("SK-T-001", "Alpha"), row("SK-T-002", "Beta", "36,253,II,3,09:00,17:00,7")].join(
        "\n",
      ),
      portal.clock.now().toString(),
    );
    expect(summary.errors).toEqual([
      expect.objectContaining({ line: 3, column: "tehsil_code", code: "not_in_district" }),
    ]);
    expect(summary.inserted).toBe(0);
    expect(await count()).toBe(before);
    expect(await getKendra(portal.database.db, "SK-T-001")).toBeUndefined();
  });

  it("upserts by code: a second import of the same file changes nothing, a changed row is updated", async () => {
    const file = [header, row("SK-T-001", "Alpha"), row("SK-T-002", "Beta")].join("\n");
    const now = portal.clock.now().toString();
    expect(await importKendras(portal.database.db, file, now)).toMatchObject({
      inserted: 2,
      errors: [],
    });
    expect(await importKendras(portal.database.db, file, now)).toMatchObject({
      inserted: 0,
      updated: 0,
      unchanged: 2,
    });
    const changed = file.replace("Beta", "Beta Two");
    expect(await importKendras(portal.database.db, changed, now)).toMatchObject({
      updated: 1,
      unchanged: 1,
    });
    expect((await getKendra(portal.database.db, "SK-T-002"))?.nameEn).toBe("Beta Two");
  });

  it("finder: a district's active centres in the page language, sorted by its collation; map link only with coordinates", async () => {
    const res = await portal.app.inject({ url: "/kendras?district=41&lang=pa" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('lang="pa"');
    const names = [...res.body.matchAll(/<h3 class="govuk-heading-s[^"]*">([^<]+)<\/h3>/g)].map(
      (m) => m[1],
    );
    expect(names.length).toBe(4);
    expect(names).toEqual([...names].sort(new Intl.Collator("pa-IN").compare));
    expect(names).toContain("ਸੇਵਾ ਕੇਂਦਰ, ਨਾਭਾ");
    expect(res.body).not.toContain("openstreetmap");
    expect(res.body).toContain('<span lang="en">Rajpura, Patiala district</span>');
    expect(res.body).toMatch(/<option value="41" selected>ਪਟਿਆਲਾ<\/option>/);
    expect(res.body).toContain("/kendras/SK-41-002/book");
    const bad = await portal.app.inject({ url: "/kendras?district=999" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("govuk-error-summary");
  });

  it("API: GET /api/v1/kendras?district= lists active centres as JSON, in the OpenAPI", async () => {
    const res = await portal.app.inject({ url: "/api/v1/kendras?district=36" });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      items: Array<{ code: string; name: { pa: string }; districtCode: number }>;
      count: number;
    };
    expect(body.items.every((k) => k.districtCode === 36)).toBe(true);
    expect(body.items.map((k) => k.code)).toContain(DEMO_KENDRA_CODE);
    const bad = await portal.app.inject({ url: "/api/v1/kendras?district=abc" });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers["content-type"]).toContain("application/problem+json");
    const spec = await portal.app.inject({ url: "/api/docs/json" });
    expect(spec.body).toContain("/api/v1/kendras");
  });

  it("user administration: a Sewa Kendra posting needs a centre in the posting's district", async () => {
    const admin = await findOfficialByUsername(portal.database.db, "admin");
    const cookie = `sewa_staff=${await startSession(portal.database.db, admin?.id ?? null, new Date(), { mfa: true })}`;
    const page = await portal.app.inject({ url: "/admin/users", headers: { cookie } });
    expect(page.body).toContain('name="kendraCode"');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] as string;
    const cookies = [cookie, ...page.cookies.map((c) => `${c.name}=${c.value}`)].join("; ");
    const create = (fields: Record<string, string>) =>
      portal.app.inject({
        method: "POST",
        url: "/admin/users",
        payload: new URLSearchParams({
          _csrf: token,
          username: "operator.test",
          name: "Test Operator",
          designation: "Operator",
          password: "a-long-counter-password-77",
          role: "kendra_operator",
          districtCode: "36",
          ...fields,
        }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
      });
    const missing = await create({});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("Choose the Sewa Kendra this operator or manager works at");
    const elsewhere = await create({ kendraCode: "SK-41-001" });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain("Choose a Sewa Kendra in the posting&#39;s district");
    expect(await findOfficialByUsername(portal.database.db, "operator.test")).toBeUndefined();
    const ok = await create({ kendraCode: "SK-36-002" });
    expect(ok.statusCode).toBe(303);
    const o = await findOfficialByUsername(portal.database.db, "operator.test");
    expect(
      (await postingsOf(portal.database.db, o?.id as number)).map((p) => p.kendraCode),
    ).toEqual(["SK-36-002"]);
  });
});
