import { Injectable } from '@nestjs/common';
import type { EntityKind } from '../content/content-change';
import { AuthorRepository, PostRepository } from '../content/repositories';
import { isOnSite, SiteFacts } from '../content/site-rule';
import { DeployStatusAnswer, siteStateOf } from './deploy-status.rules';
import { DeployState } from '../deploy/deploy-state';

/** Answers "is this author's / post's latest change on the site?" from the content itself and the deploy records. */
@Injectable()
export class DeployStatusService {
  constructor(
    private readonly authors: AuthorRepository,
    private readonly posts: PostRepository,
    private readonly deploys: DeployState,
  ) {}

  /** 404 (NotFoundError) when the entity does not exist. */
  async of(kind: EntityKind, id: string): Promise<DeployStatusAnswer> {
    const { doc } = kind === 'author' ? await this.authors.get(id) : await this.posts.get(id);
    const onSite = isOnSite(kind, doc as SiteFacts);
    const chain = onSite ? await this.deploys.deploysSinceChange(kind, id) : [];
    return siteStateOf({ kind, id, onSite }, chain);
  }
}
