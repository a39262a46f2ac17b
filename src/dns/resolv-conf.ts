// Which upstream resolvers the cluster DNS forwards to: the host's, as CoreDNS' `forward . /etc/resolv.conf`.
// Loopback stub resolvers (systemd-resolved's 127.0.0.53, a local dnsmasq) are skipped: inside a pod network
// namespace they would be unreachable, and from the host they loop back (CoreDNS' loop plugin exists for this).
// Pure: the caller reads the files.

export interface Upstream {
  host: string;
  port: number;
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver' && args[0]) conf.nameservers.push(args[0].replace(/%.*$/, ''));
    else if (keyword === 'search' || keyword === 'domain') conf.search = args;
    else if (keyword === 'options') conf.options.push(...args);
  }
  return conf;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip === '0:0:0:0:0:0:0:1';
}

/** The non-loopback nameservers of a resolv.conf, on port 53. */
export function upstreamsFromResolvConf(text: string): Upstream[] {
  return parseResolvConf(text)
    .nameservers.filter((ns) => !isLoopback(ns))
    .map((host) => ({ host, port: 53 }));
}

/** `1.2.3.4`, `1.2.3.4:5353`, `[fd00::1]:53`, `fd00::1`. */
export function parseUpstream(text: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : 53 };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = text.split(':');
    return { host, port: Number(port) };
  }
  return { host: text, port: 53 };
}

/** The resolv.conf to read: systemd-resolved's list of real upstreams when present (not its 127.0.0.53 stub). */
export const resolvConfPaths = ['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf'] as const;
