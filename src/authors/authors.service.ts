import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidInputError } from '../common/domain-errors';
import { idCandidates } from '../common/ids';
import { applyPatch, compact } from '../common/patch';
import { ChangeAction, contentChange } from '../content/content-change';
import { ContentEvents } from '../content/content-events';
import { Versioned } from '../content/content-repository';
import { Page, paginate } from '../content/paging';
import { AuthorRepository, PostRepository } from '../content/repositories';
import { Author } from './author';
import { AuthorFieldsDto, CreateAuthorDto, PatchAuthorDto, ReplaceAuthorDto } from './dto/author.dto';

const SERVER_FIELDS = ['id', 'createdAt', 'updatedAt'] as const;

function fields(input: AuthorFieldsDto): Omit<Author, (typeof SERVER_FIELDS)[number]> {
  return compact({
    name: input.name,
    title: input.title,
    bio: input.bio,
    avatarUrl: input.avatarUrl,
    links: input.links?.map((l) => ({ label: l.label, url: l.url })),
  });
}

function checkPathId(pathId: string, bodyId: string | undefined): void {
  if (bodyId !== undefined && bodyId !== pathId)
    throw new InvalidInputError([`id in the body ("${bodyId}") differs from the id in the path ("${pathId}")`]);
}

/** Authors: every change to an author changes the published site (bylines), so every change deploys. */
@Injectable()
export class AuthorsService {
  constructor(
    private readonly authors: AuthorRepository,
    private readonly posts: PostRepository,
    private readonly events: ContentEvents,
  ) {}

  async list(limit: number, cursor?: string): Promise<Page<Author>> {
    return paginate(await this.authors.index.all(), limit, cursor);
  }

  get(id: string): Promise<Versioned<Author>> {
    return this.authors.get(id);
  }

  async create(input: CreateAuthorDto): Promise<Versioned<Author>> {
    // A null id (IsOptional lets it through) means "not given", like any other null field.
    const candidates = input.id != null ? [input.id] : idCandidates('author', input.name);
    const now = new Date().toISOString();
    const created = await this.authors.create(candidates, (id) => ({
      id,
      ...fields(input),
      createdAt: now,
      updatedAt: now,
    }));
    await this.changed(created.doc.id, 'created', created);
    return created;
  }

  async replace(id: string, input: ReplaceAuthorDto, ifMatch?: string): Promise<Versioned<Author>> {
    checkPathId(id, input.id ?? undefined);
    const now = new Date().toISOString();
    // current is null when the object at the key was not a valid author: PUT replaces it.
    const { after } = await this.authors.replace(id, ifMatch, (current) => ({
      id,
      ...fields(input),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    }));
    await this.changed(id, 'updated', after);
    return after;
  }

  async patch(id: string, input: PatchAuthorDto, ifMatch?: string): Promise<Versioned<Author>> {
    checkPathId(id, input.id ?? undefined);
    const { after } = await this.authors.update(id, ifMatch, async (current) => ({
      ...(await applyPatch(current, input, SERVER_FIELDS, AuthorFieldsDto)),
      updatedAt: new Date().toISOString(),
    }));
    await this.changed(id, 'updated', after);
    return after;
  }

  async remove(id: string, ifMatch?: string): Promise<void> {
    await this.authors.remove(id, ifMatch, async () => {
      const citing = (await this.posts.index.all())
        .filter((post) => post.authorIds.includes(id))
        .map((post) => post.id);
      if (citing.length > 0) {
        throw new ConflictError(
          `Author "${id}" is still credited on ${citing.length} post(s): ${citing.sort().join(', ')}. Remove the author from those posts first.`,
        );
      }
    });
    await this.changed(id, 'deleted');
  }

  /** `after`: the version written; none for a delete. */
  private changed(id: string, action: ChangeAction, after?: Versioned<Author>): Promise<void> {
    return this.events.publish(contentChange('author', id, action, after));
  }
}
