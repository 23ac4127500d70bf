import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GithubModule } from '../github/github.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' }), GithubModule],
  controllers: [HealthController],
})
export class HealthModule {}
