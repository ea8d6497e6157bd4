import net from 'node:net';

/** Truncates an IP so it no longer names one device: IPv4 keeps /24, IPv6 keeps /48. */
export function truncateIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  let addr = ip.trim();
  if (addr.startsWith('::ffff:') && net.isIPv4(addr.slice(7))) addr = addr.slice(7);
  if (net.isIPv4(addr)) return `${addr.split('.').slice(0, 3).join('.')}.0`;
  if (net.isIPv6(addr)) {
    const [head] = addr.split('%');
    const expanded = expandIpv6(head!);
    return `${expanded.slice(0, 3).join(':')}::`;
  }
  return null;
}

function expandIpv6(addr: string): string[] {
  const [left, right] = addr.split('::');
  const l = left ? left.split(':') : [];
  const r = right !== undefined && right !== '' ? right.split(':') : [];
  const missing = addr.includes('::') ? 8 - l.length - r.length : 0;
  return [...l, ...Array(missing).fill('0'), ...r].map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
}

const EMAIL = /[A-Z0-9._%+'-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const ENCODED_EMAIL = /[A-Z0-9._%+'-]+%40[A-Z0-9.-]+\.[A-Z]{2,}/gi;
// Phone-like: optional +, then 7+ digits possibly separated by spaces, dots, dashes or parentheses. Not inside a
// longer token (request ids are UUIDs, whose digit runs would otherwise read as phones) and not a dotted-quad IP.
const PHONE = /(?<![\w-])(?!\d{1,3}(?:\.\d{1,3}){3}(?![\d.]))\+?\(?\d[\d\s().-]{6,}\d(?![\w-])/g;
const CREDENTIAL = /\b(Bearer|Basic|token[:=])\s*[A-Za-z0-9+/=._~-]{6,}/gi;
const IPV4 = /\b(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}\b/g;

/** Scrubs personal data and credentials out of free text. */
export function scrubText(text: string): string {
  return text
    .replace(CREDENTIAL, (_m, kind) => `${kind} [redacted]`)
    .replace(EMAIL, '[email]')
    .replace(ENCODED_EMAIL, '[email]')
    .replace(IPV4, '$1.0')
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '[phone]' : m));
}

/** Keys whose values never reach a log, whatever they hold. */
const SECRET_KEYS =
  /^(password|password_hash|token|api_token|access_token|secret|authorization|cookie|set-cookie|csrf_token|authenticity_token|body|html_body|plain_body|content|comment|email|phone|value)$/i;
const IP_KEYS = /^(ip|ip_address|remoteaddress|remote_address|x-forwarded-for|x-real-ip)$/i;

export function scrubValue(value: unknown, key = '', depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEYS.test(key)) return '[redacted]';
  if (IP_KEYS.test(key) && typeof value === 'string') return truncateIp(value.split(',')[0]) ?? '[redacted]';
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object') return value;
  if (depth > 6) return '[truncated]';
  if (value instanceof Error) {
    return {
      type: value.name,
      message: scrubText(value.message),
      stack: value.stack ? scrubText(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, key, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrubValue(v, k, depth + 1);
  return out;
}
