import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

export interface UrlRules {
  /** In Azure: https only, and only public addresses (no server-side request forgery). */
  inAzure: boolean;
}

/** Why a webhook URL is not acceptable, or undefined; checks the form only (no DNS). */
export function urlFormProblem(text: string, rules: UrlRules): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not hold credentials';
  if (url.hash) return 'must not have a fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must use https';
  if (rules.inAzure) return 'must use https';
  return isLoopbackHost(url.hostname)
    ? undefined
    : 'may use http only to a loopback address on the local stack';
}

const isLoopbackHost = (host: string) =>
  host === 'localhost' ||
  (ipaddr.isValid(unbracket(host)) && ipaddr.process(unbracket(host)).range() === 'loopback');

const unbracket = (host: string) => host.replace(/^\[|\]$/g, '');

/** Whether an address may be called: in Azure only public unicast addresses. */
export function addressAllowed(address: string, rules: UrlRules): boolean {
  if (!rules.inAzure) return true;
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** Every address a host name resolves to must be allowed; answers the problem, or undefined. */
export async function resolutionProblem(text: string, rules: UrlRules): Promise<string | undefined> {
  if (!rules.inAzure) return undefined;
  const host = unbracket(new URL(text).hostname);
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await dns.promises.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return 'does not resolve';
  }
  return addresses.every((address) => addressAllowed(address, rules))
    ? undefined
    : 'must not resolve to a private, loopback or link-local address';
}

/**
 * A `lookup` for http(s).request that refuses disallowed addresses at connect time, so a name that
 * resolved to a public address when the webhook was saved cannot be re-pointed inside the network.
 */
export function guardedLookup(rules: UrlRules): NonNullable<import('node:http').RequestOptions['lookup']> {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const allowed = list.filter((entry) => addressAllowed(entry.address, rules));
      if (allowed.length === 0) {
        return callback(Object.assign(new Error('address not allowed'), { code: 'EADDRNOTALLOWED' }), '', 4);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
