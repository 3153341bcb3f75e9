import dns from 'node:dns/promises';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { ConnectorKind } from '../db/types-sync.ts';

/**
 * Where a connector may send a workspace's stored token: the vendor's own hosts. Sources: HubSpot
 * "API endpoints" (api.hubapi.com), Pipedrive OAuth "api_domain" (https://{company}.pipedrive.com)
 * and its token host oauth.pipedrive.com, Salesforce "instance_url" and "My Domain" hosts
 * (*.my.salesforce.com, login/test.salesforce.com, *.force.com).
 */
const VENDOR_HOSTS: Partial<Record<ConnectorKind, { exact: string[]; suffixes: string[] }>> = {
  hubspot: { exact: ['api.hubapi.com', 'api.hubapi.eu'], suffixes: [] },
  pipedrive: { exact: ['api.pipedrive.com', 'oauth.pipedrive.com'], suffixes: ['.pipedrive.com'] },
  salesforce: { exact: ['login.salesforce.com', 'test.salesforce.com'], suffixes: ['.salesforce.com', '.force.com'] },
};

/** Loopback, private (RFC 1918, RFC 4193), link-local (cloud metadata at 169.254.169.254), CGNAT and unspecified. */
const INTERNAL = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, 'ipv4');
  return INTERNAL.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

export class DestinationRefused extends Error {}

function isVendorHost(kind: ConnectorKind, host: string): boolean {
  const vendor = VENDOR_HOSTS[kind];
  return Boolean(vendor && (vendor.exact.includes(host) || vendor.suffixes.some((suffix) => host.endsWith(suffix))));
}

/**
 * Refuses a URL a connector must not call with the workspace's credentials (SSRF): anything but
 * the vendor's hosts over HTTPS, unless the installation lists the host in
 * LAWFUL_INTEGRATION_HOSTS; even then, not an internal address unless
 * LAWFUL_INTEGRATION_ALLOW_INTERNAL says so. Hostnames are resolved, so a name pointing inside is
 * refused as its address would be.
 */
export async function checkDestination(config: Config, kind: ConnectorKind, value: string, field: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DestinationRefused(`${field} must be an absolute http(s) URL`);
  }
  if (url.username || url.password) throw new DestinationRefused(`${field} must not carry a user name or password`);
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isVendorHost(kind, host)) {
    if (url.protocol !== 'https:') throw new DestinationRefused(`${field} must use https`);
    return;
  }
  if (!config.integrationHosts.includes(host)) {
    throw new DestinationRefused(
      `${field} must be on the ${kind} API's own hosts; another host only when the installation allows it (LAWFUL_INTEGRATION_HOSTS)`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DestinationRefused(`${field} must be an http(s) URL`);
  if (!config.integrationAllowInternal) {
    const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
    if (addresses.length === 0) throw new DestinationRefused(`${field}: ${host} does not resolve`);
    if (addresses.some(isInternalAddress)) {
      throw new DestinationRefused(
        `${field}: ${host} is a loopback, private or link-local address (allowed only with LAWFUL_INTEGRATION_ALLOW_INTERNAL)`,
      );
    }
  }
}

/**
 * A workspace's own CSV drop directory: the folder the installation mapped to it
 * (LAWFUL_SYNC_DROP_MOUNTS), else its subtree of LAWFUL_SYNC_DROP_DIR named by its id — a
 * name no other workspace can write in a baseUrl, since folders are resolved inside it.
 */
export function workspaceDropRoot(config: Config, tenantId: string): string {
  return config.syncDropMounts[tenantId] ?? path.join(config.syncDropDir, tenantId);
}
