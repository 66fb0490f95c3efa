import fs from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { sql } from "drizzle-orm";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../db/client.ts";
import { testDatabases } from "../db/testing.ts";
import { startTestPortal, type TestPortal } from "../web/testing.ts";
import { createClient, type IssuedSecret } from "./clients.ts";

const schema = JSON.parse(
  fs.readFileSync(new URL("./fixtures/georeport-v2.schema.json", import.meta.url), "utf8"),
);
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
ajv.addSchema(schema);
const validate = (def: string, value: unknown) => {
  const v = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (!v) throw new Error(`no schema ${def}`);
  const ok = v(value);
  return ok ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

/** GeoReport v2 XML → the JSON shape (list elements, booleans and integers as the spec types them). */
function xmlToJson(xml: string): { root: string; value: unknown } {
  const LISTS: Record<string, string> = {
    services: "service",
    endpoints: "endpoint",
    formats: "format",
    attributes: "attribute",
    values: "value",
    service_requests: "request",
    errors: "error",
  };
  const BOOLEANS = new Set(["metadata", "variable", "required"]);
  const INTEGERS = new Set(["order", "code@error"]);
  type Node = { name: string; children: Node[]; text: string };
  const parser = new SaxesParser();
  const stack: Node[] = [{ name: "#document", children: [], text: "" }];
  parser.on("opentag", (t) => {
    const node: Node = { name: t.name, children: [], text: "" };
    stack.at(-1)?.children.push(node);
    stack.push(node);
  });
  parser.on("text", (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  const convert = (n: Node, parent: string): unknown => {
    if (LISTS[n.name]) {
      for (const c of n.children) expect(c.name).toBe(LISTS[n.name]);
      return n.children.map((c) => convert(c, n.name));
    }
    if (n.children.length > 0)
      return Object.fromEntries(n.children.map((c) => [c.name, convert(c, n.name)]));
    if (n.text === "") return null;
    if (BOOLEANS.has(n.name)) return n.text === "true";
    if (INTEGERS.has(n.name) || INTEGERS.has(`${n.name}@${parent}`)) return Number(n.text);
    return n.text;
  };
  const root = stack[0]?.children[0] as Node;
  return { root: root.name, value: convert(root, "") };
}

describe.each(testDatabases())("Open311 GeoReport v2 on $name", (which) => {
  let portal: TestPortal;
  let client: IssuedSecret;
  let service: { id: number; code: string };
  let tehsil: number;

  beforeAll(async () => {
    portal = await startTestPortal(which);
    const db = portal.database.db;
    const [s] = await rows<{ id: number; code: string; department: string }>(
      db,
      sql`select s.id, s.code, d.code as department from services s join departments d on d.id = s.department_id
          where s.time_limit_days > 0 order by s.id limit 1`,
    );
    service = s as { id: number; code: string };
    const [t] = await rows<{ code: number }>(
      db,
      sql`select code from tehsils where district_code = 36 order by code limit 1`,
    );
    tehsil = t?.code as number;
    client = await createClient(
      db,
      {
        name: "Civic app",
        departmentCode: s?.department as string,
        serviceCodes: [s?.code as string],
      },
      { actor: "test", now: portal.clock.now(), serverSecret: portal.app.deps.config.secretKey },
    );
  });
  afterAll(async () => portal?.close());

  const post = (fields: Record<string, string>, format = "json") =>
    portal.app.inject({
      method: "POST",
      url: `/open311/v2/requests.${format}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(fields).toString(),
    });
  const request = () => ({
    api_key: client.secret,
    service_code: service.code,
    first_name: "Gurpreet",
    last_name: "Kaur",
    phone: "9876543210",
    address_string: "House 12, Model Town",
    description: "Copy of land records",
    "attribute[relative_name]": "Harjit Singh",
    "attribute[gender]": "female",
    "attribute[date_of_birth]": "1990-04-01",
    "attribute[district_code]": "36",
    "attribute[tehsil_code]": String(tehsil),
    "attribute[pincode]": "141002",
    "attribute[declaration]": "true",
  });

  it("has a schema that refuses what the spec does not allow", () => {
    expect(validate("serviceList", [{ service_code: "x" }])).not.toEqual([]);
    expect(
      validate("serviceRequests", [
        {
          service_request_id: "1",
          status: "pending",
          service_code: "x",
          requested_datetime: "2025-10-17 10:00",
        },
      ]),
    ).toHaveLength(2);
  });

  it("serves service discovery that validates, in JSON and XML", async () => {
    const json = await portal.app.inject({ url: "/open311/discovery.json" });
    expect(json.statusCode).toBe(200);
    expect(validate("discovery", json.json())).toEqual([]);
    const xml = xmlToJson((await portal.app.inject({ url: "/open311/discovery.xml" })).body);
    expect(xml.root).toBe("discovery");
    expect(validate("discovery", xml.value)).toEqual([]);
    expect(xml.value).toEqual(json.json());
  });

  it("serves the service list and a service definition that validate, in JSON and XML", async () => {
    const list = await portal.app.inject({ url: "/open311/v2/services.json" });
    expect(list.statusCode).toBe(200);
    expect(list.headers["content-type"]).toContain("application/json");
    expect(validate("serviceList", list.json())).toEqual([]);
    expect(list.json().length).toBeGreaterThan(10);
    const xml = await portal.app.inject({ url: "/open311/v2/services.xml" });
    expect(xml.headers["content-type"]).toContain("text/xml");
    const parsed = xmlToJson(xml.body);
    expect(parsed.root).toBe("services");
    expect(validate("serviceList", parsed.value)).toEqual([]);
    expect(parsed.value).toEqual(list.json());

    const def = await portal.app.inject({ url: `/open311/v2/services/${service.code}.json` });
    expect(def.statusCode).toBe(200);
    expect(validate("serviceDefinition", def.json())).toEqual([]);
    const defXml = xmlToJson(
      (await portal.app.inject({ url: `/open311/v2/services/${service.code}.xml` })).body,
    );
    expect(defXml.root).toBe("service_definition");
    expect(validate("serviceDefinition", defXml.value)).toEqual([]);
    expect(defXml.value).toEqual(def.json());
  });

  it("files a request with an api_key, and lists and shows it as GeoReport requests", async () => {
    const created = await post(request());
    expect(created.statusCode, created.body).toBe(201);
    expect(validate("postServiceRequestResponse", created.json())).toEqual([]);
    const id = created.json()[0].service_request_id as string;

    const one = await portal.app.inject({
      url: `/open311/v2/requests/${id}.json?api_key=${encodeURIComponent(client.secret)}`,
    });
    expect(one.statusCode).toBe(200);
    expect(validate("serviceRequests", one.json())).toEqual([]);
    expect(one.json()[0]).toMatchObject({
      service_request_id: id,
      status: "open",
      service_code: service.code,
      requested_datetime: "2025-10-17T10:00:00+05:30",
    });
    expect(one.json()[0].expected_datetime).toMatch(/T23:59:59\+05:30$/);
    const oneXml = xmlToJson(
      (
        await portal.app.inject({
          url: `/open311/v2/requests/${id}.xml?api_key=${encodeURIComponent(client.secret)}`,
        })
      ).body,
    );
    expect(oneXml.root).toBe("service_requests");
    expect(validate("serviceRequests", oneXml.value)).toEqual([]);
    expect(oneXml.value).toEqual(one.json());

    const list = await portal.app.inject({
      url: `/open311/v2/requests.json?api_key=${encodeURIComponent(client.secret)}&status=open`,
    });
    expect(validate("serviceRequests", list.json())).toEqual([]);
    expect(list.json().map((r: { service_request_id: string }) => r.service_request_id)).toContain(
      id,
    );
    const closed = await portal.app.inject({
      url: `/open311/v2/requests.json?api_key=${encodeURIComponent(client.secret)}&status=closed`,
    });
    expect(closed.json()).toEqual([]);
    const createdXml = await post(request(), "xml");
    const px = xmlToJson(createdXml.body);
    expect(px.root).toBe("service_requests");
    expect(validate("postServiceRequestResponse", px.value)).toEqual([]);
  });

  it("answers GeoReport errors that validate, in JSON and XML", async () => {
    const noKey = await portal.app.inject({ url: "/open311/v2/requests.json" });
    expect(noKey.statusCode).toBe(403);
    expect(validate("errors", noKey.json())).toEqual([]);
    const bad = await post({ ...request(), "attribute[pincode]": "012345" });
    expect(bad.statusCode).toBe(400);
    expect(validate("errors", bad.json())).toEqual([]);
    const badXml = await post({ ...request(), api_key: "sws_nope" }, "xml");
    expect(badXml.statusCode).toBe(403);
    const parsed = xmlToJson(badXml.body);
    expect(parsed.root).toBe("errors");
    expect(validate("errors", parsed.value)).toEqual([]);
    const unknown = await portal.app.inject({ url: "/open311/v2/services/nope.json" });
    expect(unknown.statusCode).toBe(404);
    expect(validate("errors", unknown.json())).toEqual([]);
  });
});
