import { Module } from '@nestjs/common';
import { GithubRuns } from './github-runs';
import { GithubClient } from './github.client';

/** GitHub behind one client. Imported by the deploy feature (dispatch) and health (access check); one instance. */
@Module({ providers: [GithubClient, GithubRuns], exports: [GithubClient, GithubRuns] })
export class GithubModule {}
