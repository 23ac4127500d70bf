import { Module } from '@nestjs/common';
import { GithubClient } from './github.client';

/** GitHub behind one client. Imported by the deploy feature (dispatch) and health (access check); one instance. */
@Module({ providers: [GithubClient], exports: [GithubClient] })
export class GithubModule {}
