import type { Prng } from './prng';
import type { PiiKind } from './types';

/**
 * Realistic, checksum-valid PII values for `inject_pii` (all synthetic): SSNs outside the
 * never-issued ranges, Luhn-valid card numbers, NANP phone numbers, mod-97-valid IBANs.
 */

const FIRST = [
  'jane',
  'john',
  'maria',
  'wei',
  'amara',
  'lukas',
  'sofia',
  'omar',
  'yuki',
  'noah',
  'lea',
  'ravi',
];
const LAST = [
  'doe',
  'smith',
  'garcia',
  'chen',
  'okafor',
  'muller',
  'rossi',
  'haddad',
  'tanaka',
  'brown',
  'martin',
  'patel',
];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net', 'example.co.uk'];

function digits(rng: Prng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(rng.int(0, 9));
  return out;
}

/** Luhn check digit for a string of digits (the digit to append). */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  let double = true;
  for (let i = payload.length - 1; i >= 0; i--) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the digits pass the Luhn check. */
export function luhnValid(number: string): boolean {
  const d = number.replace(/[ -]/g, '');
  return /^\d{2,}$/.test(d) && luhnCheckDigit(d.slice(0, -1)) === Number(d.slice(-1));
}

function mod97(numeric: string): number {
  let rest = 0;
  for (let i = 0; i < numeric.length; i += 7) {
    rest = Number(String(rest) + numeric.slice(i, i + 7)) % 97;
  }
  return rest;
}

function ibanNumeric(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c >= 65 && c <= 90 ? String(c - 55) : ch;
  }
  return out;
}

/** True when an IBAN (spaces allowed) passes the ISO 13616 mod-97 check. */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  return mod97(ibanNumeric(compact.slice(4) + compact.slice(0, 4))) === 1;
}

function iban(rng: Prng): string {
  let country: string;
  let bban: string;
  if (rng.chance(0.5)) {
    country = 'DE';
    bban = digits(rng, 18);
  } else {
    country = 'GB';
    bban = `${rng.pick(['NWBK', 'BARC', 'MIDL', 'LOYD'])}${digits(rng, 14)}`;
  }
  const check = 98 - mod97(ibanNumeric(`${bban}${country}00`));
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

function ssn(rng: Prng): string {
  let area = rng.int(1, 898);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
}

function creditCard(rng: Prng): string {
  const payload = `4${digits(rng, 14)}`;
  const number = `${payload}${luhnCheckDigit(payload)}`;
  const sep = rng.pick(['', ' ', '-']);
  return sep === '' ? number : (number.match(/.{4}/g) as string[]).join(sep);
}

function phone(rng: Prng): string {
  const area = rng.int(201, 989);
  const exchange = rng.int(200, 999);
  const line = digits(rng, 4);
  return rng.chance(0.5) ? `(${area}) ${exchange}-${line}` : `+1 ${area}-${exchange}-${line}`;
}

/** A plausible personal email address. */
export function personalEmail(rng: Prng): string {
  const n = rng.int(0, 99);
  return `${rng.pick(FIRST)}.${rng.pick(LAST)}${n === 0 ? '' : n}@${rng.pick(DOMAINS)}`;
}

/** One PII value of the given kind. */
export function piiValue(kind: PiiKind, rng: Prng): string {
  switch (kind) {
    case 'ssn':
      return ssn(rng);
    case 'email':
      return personalEmail(rng);
    case 'credit_card':
      return creditCard(rng);
    case 'phone':
      return phone(rng);
    case 'iban':
      return iban(rng);
  }
}

const TEMPLATES: Readonly<Record<PiiKind, readonly string[]>> = {
  ssn: ['customer gave SSN {} for the credit check', 'ssn {} verified by phone'],
  email: ['please send the invoice to {} instead', 'contact: {}'],
  credit_card: ['paid with card {} (manual entry)', 'card {} declined once, retried'],
  phone: ['call back on {} after 5pm', 'customer phone {}'],
  iban: ['refund to IBAN {} please', 'bank account {} for the refund'],
};

/** A free-text note that contains one PII value (what a careless producer puts in `notes`). */
export function piiText(kind: PiiKind, rng: Prng): { text: string; value: string } {
  const value = piiValue(kind, rng);
  return { text: rng.pick(TEMPLATES[kind]).replace('{}', value), value };
}
