import { Inject, Injectable } from '@nestjs/common';
import type { EntityKind } from '../content/content-change';
import { AuthorRepository, PostRepository } from '../content/repositories';
import { isOnSite, SiteFacts } from '../content/site-rule';
import { DeployStatusAnswer, siteStateOf } from './deploy-status.rules';
import { DEPLOY_RUN_STORE, DeployRunStore } from './run-tracking.types';

/** Answers "is this author's / post's latest change on the site?" from the content itself and the deploy records. */
@Injectable()
export class DeployStatusService {
  constructor(
    private readonly authors: AuthorRepository,
    private readonly posts: PostRepository,
    @Inject(DEPLOY_RUN_STORE) private readonly store: DeployRunStore,
  ) {}

  /** 404 (NotFoundError) when the entity does not exist. */
  async of(kind: EntityKind, id: string): Promise<DeployStatusAnswer> {
    const { doc } = kind === 'author' ? await this.authors.get(id) : await this.posts.get(id);
    const onSite = isOnSite(kind, doc as SiteFacts);
    const chain = onSite ? await this.store.deploysSinceChange(kind, id) : null;
    return siteStateOf({ kind, id, onSite }, chain);
  }
}
