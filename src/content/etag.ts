/** Entity tags as HTTP sends them: a list, `*`, or weak tags (compared weakly, as RFC 9110 allows for If-None-Match). */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter((t) => t !== '');
}

function normalize(etag: string): string {
  const bare = etag.replace(/^W\//, '');
  return bare.startsWith('"') ? bare : `"${bare}"`;
}

/** True when an If-Match / If-None-Match header value matches the current ETag of an existing object. */
export function etagMatches(header: string, current: string): boolean {
  const wanted = normalize(current);
  return tags(header).some((t) => t === '*' || normalize(t) === wanted);
}

/** The ETag as sent to clients: always a quoted strong tag. */
export function quoteEtag(etag: string): string {
  return normalize(etag);
}
