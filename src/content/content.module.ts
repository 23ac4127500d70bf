import { Global, Module } from '@nestjs/common';
import { ContentEvents } from './content-events';
import { AuthorRepository, PostRepository } from './repositories';
import { TrackWritesInterceptor } from './track-writes.interceptor';
import { WritesInProgress } from './writes-in-progress';

/**
 * Global: the content store (one repository per entity kind, each with its listing index) and its change
 * events are the domain every other feature works on: authors, posts, deploys and scheduled publishing.
 */
@Global()
@Module({
  providers: [ContentEvents, AuthorRepository, PostRepository, WritesInProgress, TrackWritesInterceptor],
  exports: [ContentEvents, AuthorRepository, PostRepository, WritesInProgress, TrackWritesInterceptor],
})
export class ContentModule {}
