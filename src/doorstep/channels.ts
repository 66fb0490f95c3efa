/**
 * Which services are offered on which channel: `online` (the portal and the
 * API), `kendra` (a Sewa Kendra counter) and `doorstep` (a facilitator's
 * visit booked through helpline 1076). Computed at read time, nothing stored:
 *
 * 1. A state-level exclusion wins over everything: e-stamp paper, Aadhaar
 *    and (at launch) arms licences are not offered at the doorstep
 *    (`data/doorstep-channel-rules.csv`, rule `excluded`, each with its
 *    source). The reason is a stable code (`e_stamp`, `aadhaar`,
 *    `arms_licence`) that pages translate.
 * 2. A service with a published service definition follows the definition's
 *    `channels.online|sewaKendra|doorstep.enabled`.
 * 3. Any other catalog service is online and at Sewa Kendras (the generic
 *    form), and at the doorstep when its English name matches a row of the
 *    scheme's launch list (`data/doorstep-delivery-services.csv`, matched by
 *    the reviewed patterns of `data/doorstep-channel-rules.csv`, rule
 *    `offered`). The launch list is all that is sourced: the later expansion
 *    to 406 services was reported without a list (data/README.md §6).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { ServiceDefinition } from "../catalog/definitions/types.ts";
import { definitionOf, liveDefinitionOf } from "../catalog/definitions/versions.ts";
import { getService, type ServiceWithDepartment, searchServices } from "../catalog/service.ts";
import { parseCsv } from "../common/csv.ts";
import { type Queryable, rows } from "../db/client.ts";

/** The channels a service list can be asked for (`GET /api/v1/services?channel=`). */
export const SERVICE_CHANNELS = ["online", "kendra", "doorstep"] as const;
/** A channel. */
export type ServiceChannel = (typeof SERVICE_CHANNELS)[number];

/** Why a service is not offered at the doorstep: an exclusion code, or not on the lists. */
export type DoorstepRefusal = "e_stamp" | "aadhaar" | "arms_licence" | "not_doorstep";

/** One rule of data/doorstep-channel-rules.csv. */
export type ChannelRule = {
  rule: "offered" | "excluded";
  pattern: RegExp;
  launchServiceName: string;
  reasonCode: string;
  sourceUrl: string;
};

const DATA_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../data/doorstep-channel-rules.csv",
);

let cached: ChannelRule[] | undefined;

/**
 * The rules of `data/doorstep-channel-rules.csv` (read once). Columns:
 * `rule` (`offered`/`excluded`), `match` (a case-insensitive regular
 * expression over the catalog service's English name), `launch_service_name`
 * (the launch-list names it stands for), `reason_code`, `source_url`, `notes`.
 * @throws Error when a row has an unknown rule or an invalid pattern.
 */
export function channelRules(): ChannelRule[] {
  if (cached) return cached;
  cached = parseCsv(fs.readFileSync(DATA_FILE, "utf8")).map(({ line, values: v }) => {
    if (v.rule !== "offered" && v.rule !== "excluded")
      throw new Error(`doorstep-channel-rules.csv line ${line}: unknown rule ${v.rule}`);
    return {
      rule: v.rule,
      pattern: new RegExp(v.match ?? "", "iu"),
      launchServiceName: v.launch_service_name ?? "",
      reasonCode: v.reason_code ?? "",
      sourceUrl: v.source_url ?? "",
    };
  });
  return cached;
}

/** The channels of one service. */
export type ServiceChannels = {
  online: boolean;
  kendra: boolean;
  doorstep: boolean;
  /** Set when `doorstep` is false: why. */
  doorstepRefusal?: DoorstepRefusal;
  /** The source of the doorstep answer (a rule's URL), when there is one. */
  doorstepSource?: string;
};

/**
 * The channels of a service (pure): `name` is the catalog's English name,
 * `definition` the live service definition when the service has one.
 */
export function channelsOf(name: string, definition?: ServiceDefinition): ServiceChannels {
  const rules = channelRules();
  const excluded = rules.find((r) => r.rule === "excluded" && r.pattern.test(name));
  const online = definition ? definition.channels.online.enabled : true;
  const kendra = definition ? definition.channels.sewaKendra.enabled : true;
  if (excluded)
    return {
      online,
      kendra,
      doorstep: false,
      doorstepRefusal: excluded.reasonCode as DoorstepRefusal,
      doorstepSource: excluded.sourceUrl,
    };
  if (definition)
    return definition.channels.doorstep.enabled
      ? { online, kendra, doorstep: true }
      : { online, kendra, doorstep: false, doorstepRefusal: "not_doorstep" };
  const offered = rules.find((r) => r.rule === "offered" && r.pattern.test(name));
  return offered
    ? { online, kendra, doorstep: true, doorstepSource: offered.sourceUrl }
    : { online, kendra, doorstep: false, doorstepRefusal: "not_doorstep" };
}

/** Live definitions by service id (one query; definitions are cached by version id). */
async function liveDefinitions(q: Queryable): Promise<Map<number, ServiceDefinition>> {
  const live = await rows<{ id: number; service_id: number }>(
    q,
    sql`select id, service_id from service_definitions where status = 'published' and service_id is not null`,
  );
  const out = new Map<number, ServiceDefinition>();
  for (const r of live) out.set(Number(r.service_id), await definitionOf(q, Number(r.id)));
  return out;
}

/** A catalog service with its channels. */
export type ServiceOnChannels = ServiceWithDepartment & { channels: ServiceChannels };

/**
 * Catalog services (optionally filtered as `searchServices` does) with their
 * channels, keeping only those offered on `channel` when given.
 */
export async function servicesByChannel(
  q: Queryable,
  channel?: ServiceChannel,
  filter: { text?: string; departmentCode?: string } = {},
): Promise<ServiceOnChannels[]> {
  const [all, defs] = await Promise.all([searchServices(q, filter), liveDefinitions(q)]);
  return all
    .map((s) => ({ ...s, channels: channelsOf(s.name, defs.get(s.id)) }))
    .filter((s) => !channel || s.channels[channel]);
}

/** One service with its channels and live definition, or undefined. */
export async function serviceWithChannels(
  q: Queryable,
  serviceId: number,
): Promise<(ServiceOnChannels & { definition?: ServiceDefinition }) | undefined> {
  const s = await getService(q, serviceId);
  if (!s) return undefined;
  const definition = (await liveDefinitionOf(q, s.id))?.definition;
  return { ...s, channels: channelsOf(s.name, definition), ...(definition ? { definition } : {}) };
}
