import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { definitionJsonSchema } from "../src/catalog/definitions/schema.ts";
import { isUpToDate, renderDefinitionSchema, SCHEMA_FILE } from "./build-definition-schema.ts";

describe("schemas/service-definition.schema.json", () => {
  it("equals the schema generated from src/catalog/definitions/schema.ts", () => {
    const committed = readFileSync(SCHEMA_FILE, "utf8");
    expect(JSON.parse(committed)).toEqual(definitionJsonSchema());
    expect(isUpToDate(committed)).toBe(true);
  });

  it("notices a stale file", () => {
    const stale = JSON.parse(renderDefinitionSchema());
    stale.title = "something else";
    expect(isUpToDate(JSON.stringify(stale))).toBe(false);
    expect(isUpToDate("not json")).toBe(false);
  });

  it("is a draft-07 schema that Ajv compiles in strict mode", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    const ajv = new Ajv({ strict: true, strictRequired: false, discriminator: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });
});
