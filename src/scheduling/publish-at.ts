import { applyDecorators } from '@nestjs/common';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../common/domain-errors';
import type { Post, PostStatus } from '../posts/post';

/**
 * The rule of scheduled publishing, in one place: a post with status `scheduled` carries the instant it goes
 * live (`publishAt`), any other post carries none. Instants are accepted with any offset and stored in UTC,
 * so every instance, whatever its time zone, reads the same instant.
 */

/** An explicit offset: without one "09:00" would mean the server's local time, which is nobody's intent. */
const WITH_OFFSET = /T.*(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Shape checks of the field itself; whether it fits the status (and the clock) is checkedPublishAt's job. */
export const IsPublishAt = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsString({ message: 'publishAt must be an ISO 8601 date-time string' }),
    IsISO8601(
      { strict: true, strictSeparator: true },
      { message: 'publishAt must be an ISO 8601 date-time, e.g. 2027-01-15T09:00:00+09:00' },
    ),
    Matches(WITH_OFFSET, {
      message: 'publishAt must end with a time zone offset (Z or ±hh:mm), e.g. 2027-01-15T09:00:00+09:00',
    }),
  );

/**
 * The publishAt to store with `status`, in UTC, or a 400 saying what is wrong: required (and in the future,
 * as of `now`) with `scheduled`, refused with any other status. `stored` is the post's publishAt before this
 * write: an overdue post (its time passed while no worker ran) keeps that instant through an edit that does not
 * move it, and is published as soon as a worker runs, instead of its edits being refused for a time nobody sent.
 */
export function checkedPublishAt(
  status: PostStatus,
  publishAt: string | null | undefined,
  now: number,
  stored: string | null = null,
): string | null {
  if (status !== 'scheduled') {
    if (publishAt != null)
      throw new InvalidInputError([
        `publishAt is only accepted with status "scheduled" (the status is "${status}"): send status "scheduled", or leave publishAt out`,
      ]);
    return null;
  }
  if (publishAt == null)
    throw new InvalidInputError([
      'publishAt is required with status "scheduled": when to publish, as ISO 8601 with an offset, e.g. 2027-01-15T09:00:00+09:00',
    ]);
  const at = Date.parse(publishAt);
  if (Number.isNaN(at)) throw new InvalidInputError([`publishAt is not a date-time: "${publishAt}"`]);
  if (at <= now && new Date(at).toISOString() !== stored) {
    throw new InvalidInputError([
      `publishAt must be in the future: ${new Date(at).toISOString()} is not after now (${new Date(now).toISOString()}); to publish at once, set status "published"`,
    ]);
  }
  return new Date(at).toISOString();
}

/**
 * A PATCH merges the body into the stored post. One that does not send publishAt and leaves the post not
 * scheduled (status changed to draft or published) drops the stored publishAt instead of being refused for it.
 */
export function publishAtAfterPatch(
  merged: { status?: PostStatus | null; publishAt?: string | null },
  patch: { publishAt?: string | null },
): string | null | undefined {
  return patch.publishAt === undefined && merged.status !== 'scheduled' ? null : merged.publishAt;
}

/**
 * Identifies one version of a scheduled post: the job that publishes it is named after it, and publishing
 * goes ahead only while the stored post is still this version. Derived from the document (as JSON, key order
 * as stored), so the writer, the catch-up pass and the publisher all compute it the same way.
 */
export function scheduleVersion(post: Post): string {
  return createHash('sha256').update(JSON.stringify(post)).digest('hex').slice(0, 16);
}

/** The post as its publication rewrites it: published, publishedAt its publishAt, updated now. */
export function publishedVersion(post: Post, now: number): Post {
  return {
    ...post,
    status: 'published',
    publishAt: null,
    publishedAt: post.publishAt,
    updatedAt: new Date(now).toISOString(),
  };
}
