export type PostStatus = 'draft' | 'published';
export const POST_STATUSES: readonly PostStatus[] = ['draft', 'published'];

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
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
