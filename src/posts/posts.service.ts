import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../common/domain-errors';
import { idCandidates } from '../common/ids';
import { applyPatch, compact } from '../common/patch';
import { ChangeAction, contentChange } from '../content/content-change';
import { ContentEvents } from '../content/content-events';
import { Versioned } from '../content/content-repository';
import { Page, paginate } from '../content/paging';
import { AuthorRepository, PostRepository } from '../content/repositories';
import { affectsSite } from '../content/site-rule';
import { PublicationQueue } from '../scheduling/publication-queue';
import { checkedPublishAt, publishAtAfterPatch } from '../scheduling/publish-at';
import { CreatePostDto, ListPostsQueryDto, PatchPostDto, PostFieldsDto, ReplacePostDto } from './dto/post.dto';
import { Post } from './post';

const SERVER_FIELDS = ['id', 'createdAt', 'updatedAt', 'publishedAt'] as const;
type PostFields = Omit<Post, (typeof SERVER_FIELDS)[number]>;

/** `storedPublishAt`: the post's publishAt before this write, if it exists (checkedPublishAt). */
function fields(input: PostFieldsDto, storedPublishAt: string | null = null): PostFields {
  const status = input.status ?? 'draft';
  const post = compact({
    title: input.title,
    summary: input.summary,
    body: input.body,
    authorIds: [...input.authorIds],
    tags: input.tags ? [...input.tags] : undefined,
    coverImageUrl: input.coverImageUrl,
    status,
  });
  // Kept as null (not left out) when the post is not scheduled, so every post has the field.
  return { ...post, publishAt: checkedPublishAt(status, input.publishAt, Date.now(), storedPublishAt) };
}

/** publishedAt is set the first time a post is published and kept from then on. */
function publishedAt(previous: Post | undefined, status: Post['status'], now: string): string | null {
  return previous?.publishedAt ?? (status === 'published' ? now : null);
}

function checkPathId(pathId: string, bodyId: string | undefined): void {
  if (bodyId !== undefined && bodyId !== pathId)
    throw new InvalidInputError([`id in the body ("${bodyId}") differs from the id in the path ("${pathId}")`]);
}

/** Posts. A change deploys only when it affects the published site (site-rule.ts). */
@Injectable()
export class PostsService {
  constructor(
    private readonly posts: PostRepository,
    private readonly authors: AuthorRepository,
    private readonly events: ContentEvents,
    private readonly publications: PublicationQueue,
  ) {}

  async list(query: ListPostsQueryDto): Promise<Page<Post>> {
    const { authorId, tag, status } = query;
    const matches = (post: Post): boolean =>
      (authorId === undefined || post.authorIds.includes(authorId)) &&
      (tag === undefined || (post.tags ?? []).includes(tag)) &&
      (status === undefined || post.status === status);
    return paginate(await this.posts.index.all(), query.limit, query.cursor, matches);
  }

  get(id: string): Promise<Versioned<Post>> {
    return this.posts.get(id);
  }

  async create(input: CreatePostDto): Promise<Versioned<Post>> {
    await this.checkAuthors(input.authorIds);
    // A null id (IsOptional lets it through) means "not given", like any other null field.
    const candidates = input.id != null ? [input.id] : idCandidates('post', input.title);
    const now = new Date().toISOString();
    const post = fields(input);
    const created = await this.posts.create(candidates, (id) => ({
      id,
      ...post,
      publishedAt: publishedAt(undefined, post.status, now),
      createdAt: now,
      updatedAt: now,
    }));
    await this.publications.follow(undefined, created.doc);
    await this.changed(created.doc.id, undefined, created, 'created');
    return created;
  }

  async replace(id: string, input: ReplacePostDto, ifMatch?: string): Promise<Versioned<Post>> {
    checkPathId(id, input.id ?? undefined);
    await this.checkAuthors(input.authorIds);
    // current is null when the object at the key was not a valid post: PUT replaces it.
    const { before, after } = await this.posts.replace(id, ifMatch, (current) =>
      this.next(id, current, fields(input, current?.publishAt)),
    );
    await this.publications.follow(before, after.doc);
    await this.changed(id, before, after, 'updated');
    return after;
  }

  async patch(id: string, input: PatchPostDto, ifMatch?: string): Promise<Versioned<Post>> {
    checkPathId(id, input.id ?? undefined);
    if (input.authorIds) await this.checkAuthors(input.authorIds);
    const { before, after } = await this.posts.update(id, ifMatch, async (current) => {
      const merged = await applyPatch(current, input, SERVER_FIELDS, PostFieldsDto);
      // Through fields() like a PUT: `"status": null` falls back to the default (draft) instead of storing a post without one.
      return this.next(
        id,
        current,
        fields({ ...merged, publishAt: publishAtAfterPatch(merged, input) }, current.publishAt),
      );
    });
    await this.publications.follow(before, after.doc);
    await this.changed(id, before, after, 'updated');
    return after;
  }

  async remove(id: string, ifMatch?: string): Promise<void> {
    const removed = await this.posts.remove(id, ifMatch);
    await this.publications.follow(removed, undefined);
    await this.changed(id, removed, undefined, 'deleted');
  }

  private next(id: string, current: Post | null, input: PostFields): Post {
    const now = new Date().toISOString();
    return {
      id,
      ...input,
      publishedAt: publishedAt(current ?? undefined, input.status, now),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
  }

  /**
   * Every author must exist. The index answers for authors written through any instance (no S3 request on
   * the write path); an id it does not know is looked up in S3, so an author just added to the bucket by
   * another tool is not refused. (An author deleted from the bucket by another tool can pass for up to the
   * index's staleness bound.)
   */
  private async checkAuthors(ids: readonly string[]): Promise<void> {
    const known = new Set((await this.authors.index.all()).map((author) => author.id));
    const unknown = ids.filter((id) => !known.has(id));
    const found = await Promise.all(unknown.map((id) => this.authors.find(id)));
    const missing = unknown.filter((_, i) => found[i] === null);
    if (missing.length > 0)
      throw new InvalidInputError([`authorIds names authors that do not exist: ${missing.join(', ')}`]);
  }

  /** `before` null: the object replaced or removed was not a valid post, so what the site showed is unknown: deploy. */
  private async changed(
    id: string,
    before: Post | null | undefined,
    after: Versioned<Post> | undefined,
    action: ChangeAction,
  ): Promise<void> {
    if (before !== null && !affectsSite('post', before, after?.doc)) return;
    await this.events.publish(contentChange('post', id, action, after));
  }
}
