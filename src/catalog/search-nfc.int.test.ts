/**
 * Searching services and departments finds a Punjabi name whether the name
 * and the query use the composed or the decomposed form of a nukta letter
 * (issue 7: "names … searched so that composed and decomposed forms match").
 * ਸ਼ can be written U+0A36 or U+0A38 U+0A3C; NFC gives the second (U+0A36 is
 * a composition exclusion), and a definition's own name may be stored as
 * its author typed it.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";

const COMPOSED = "\u0A36"; // ਸ਼
const DECOMPOSED = "\u0A38\u0A3C"; // ਸ + nukta

describe.each(testDatabases())("search with composed and decomposed Gurmukhi on $name", (which) => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await startTestPortal(which);
  });
  afterAll(async () => portal?.close());

  /** Ids the API finds for `q`. */
  const found = async (q: string) =>
    (
      (await portal.app.inject({ url: `/api/v1/services?q=${encodeURIComponent(q)}` })).json() as {
        items: Array<{ id: number }>;
      }
    ).items.map((s) => s.id);

  it("finds a name stored decomposed with a composed or a decomposed query", async () => {
    const [service] = await rows<{ id: number; name_pa: string }>(
      portal.database.db,
      sql`select id, name_pa from services where strpos(name_pa, ${DECOMPOSED}) > 0 order by id limit 1`,
    );
    expect(service).toBeDefined();
    const word = (service?.name_pa.split(" ") ?? []).find((w) => w.includes(DECOMPOSED)) as string;
    expect(await found(word)).toContain(service?.id);
    expect(await found(word.replaceAll(DECOMPOSED, COMPOSED))).toContain(service?.id);
    // The home page's search too.
    const page = await portal.app.inject({
      url: `/?q=${encodeURIComponent(word.replaceAll(DECOMPOSED, COMPOSED))}`,
    });
    expect(page.body).toContain(`href="/services/${service?.id}"`);
  });

  it("finds a service and a department name stored composed with a decomposed query", async () => {
    const { db } = portal.database;
    const [service] = await rows<{ id: number; department_id: number }>(
      db,
      sql`select id, department_id from services order by id limit 1`,
    );
    await db.execute(
      sql`update services set name_pa = ${`ਨਕ${COMPOSED}ਾ ਸੇਵਾ`} where id = ${service?.id}`,
    );
    await db.execute(
      sql`update departments set name_pa = ${`ਖੋਜ${COMPOSED}ਾਲਾ ਵਿਭਾਗ`} where id = ${service?.department_id}`,
    );
    expect(await found(`ਨਕ${DECOMPOSED}ਾ`)).toContain(service?.id);
    expect(await found(`ਨਕ${COMPOSED}ਾ`)).toContain(service?.id);
    expect(await found(`ਖੋਜ${DECOMPOSED}ਾਲਾ`)).toContain(service?.id);
    expect(await found(`ਖੋਜ${COMPOSED}ਾਲਾ`)).toContain(service?.id);
  });
});
