import { randomBytes } from 'node:crypto';

/** The id rule: lowercase ASCII letters, digits and inner hyphens, 1 to 64 characters. */
export const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const ID_MAX_LENGTH = 64;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** ASCII slug of a name or title: accents folded, everything else collapsed to single hyphens. May be empty. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, ID_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/**
 * Candidate ids for a new entity, best first: the slug itself, then the slug with a random suffix,
 * then (for a title with no ASCII letters, like a Hangul-only one) `{kind}-{random}`. Every candidate is valid.
 */
export function idCandidates(kind: string, text: string, attempts = 5): string[] {
  const slug = slugify(text);
  const base = slug === '' ? kind : slug.slice(0, ID_MAX_LENGTH - 9).replace(/-+$/, '');
  const candidates = slug === '' ? [] : [slug];
  for (let i = 0; i < attempts; i++) candidates.push(`${base}-${randomSuffix(8)}`);
  return candidates;
}
