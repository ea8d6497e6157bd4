import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { sql, type TenantDb } from '../../platform/db/tenant-db.ts';
import { invalid } from '../../platform/http/errors.ts';

/**
 * DKIM signing keys, one per account: generated here (2048-bit RSA) or imported. Mail whose From domain is the
 * key's domain is signed; the admin publishes the TXT record shown with the settings.
 */
export interface DkimRecord {
  domain: string | null;
  selector: string | null;
  configured: boolean;
  dns_name: string | null;
  dns_value: string | null;
}

/** The TXT record (name and value) that publishes the public half of `privateKeyPem`. */
export function dkimDnsRecord(domain: string, selector: string, privateKeyPem: string) {
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return {
    dns_name: `${selector}._domainkey.${domain}`,
    dns_value: `v=DKIM1; k=rsa; p=${Buffer.from(publicKey).toString('base64')}`,
  };
}

export function presentDkim(
  row: {
    dkim_domain: string | null;
    dkim_selector: string | null;
    dkim_private_key: string | null;
  } | null,
): DkimRecord {
  if (!row?.dkim_domain || !row.dkim_selector || !row.dkim_private_key) {
    return { domain: null, selector: null, configured: false, dns_name: null, dns_value: null };
  }
  return {
    domain: row.dkim_domain,
    selector: row.dkim_selector,
    configured: true,
    ...dkimDnsRecord(row.dkim_domain, row.dkim_selector, row.dkim_private_key),
  };
}

export function generateDkimKey(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A PEM private key an admin pasted, checked: RSA, at least 1024 bits; normalized to PKCS#8. */
export function importDkimKey(pem: string): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw invalid('private_key', 'is not a PEM private key', 'InvalidValue');
  }
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) {
    throw invalid('private_key', 'must be an RSA key of at least 1024 bits', 'InvalidValue');
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export async function storeDkim(
  db: TenantDb,
  key: { domain: string | null; selector: string | null; privateKey: string | null },
): Promise<DkimRecord> {
  const values = { dkim_domain: key.domain, dkim_selector: key.selector, dkim_private_key: key.privateKey };
  await db
    .insertInto('email_settings', values)
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
    .execute();
  return presentDkim(values);
}
