export type PostStatus = 'draft' | 'scheduled' | 'published';
export const POST_STATUSES: readonly PostStatus[] = ['draft', 'scheduled', 'published'];

/** A post as stored in S3 (`posts/{id}.json`) and returned by the API. */
export interface Post {
  id: string;
  title: string;
  summary?: string;
  body: string;
  authorIds: string[];
  tags?: string[];
  coverImageUrl?: string;
  status: PostStatus;
  /** When a `scheduled` post goes live (UTC); null for any other status (src/scheduling/publish-at.ts). */
  publishAt: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
