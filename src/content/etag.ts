/**
 * Entity tags (RFC 9110, section 8.8.3): If-Match compares strongly (a weak `W/` tag never matches), If-None-Match
 * weakly. The tags the service sends are always strong.
 */

/** The tags of an If-Match / If-None-Match list, as written (weak ones keep their `W/`). */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function opaque(tag: string): string {
  const bare = tag.replace(/^W\//, '');
  return bare.startsWith('"') ? bare : `"${bare}"`;
}

/** If-Match: true when the entity exists and the header is `*` or lists its tag as a strong tag. */
export function ifMatchPasses(header: string, current: string | null): boolean {
  if (current === null) return false;
  const wanted = opaque(current);
  return tags(header).some((t) => t === '*' || (!t.startsWith('W/') && opaque(t) === wanted));
}

/** If-None-Match: true when the header names the existing entity (`*` or its tag, weak or strong): a GET answers 304. */
export function ifNoneMatchHits(header: string, current: string): boolean {
  const wanted = opaque(current);
  return tags(header).some((t) => t === '*' || opaque(t) === wanted);
}

/** The ETag as sent to clients: always a quoted strong tag (S3-compatible servers differ in quoting). */
export function quoteEtag(etag: string): string {
  return opaque(etag);
}

/** The ETag without quotes: S3-compatible servers differ in quoting, so stored records compare them bare. */
export function bareEtag(etag: string): string {
  return etag.replace(/"/g, '');
}
