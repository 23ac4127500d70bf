import { Global, Module } from '@nestjs/common';
import { ContentEvents } from './content-events';
import { AuthorRepository, PostRepository } from './repositories';

/**
 * Global: the content store (one repository per entity kind, each with its listing index) and its change
 * events are the domain every other feature works on: authors, posts, deploys and scheduled publishing.
 */
@Global()
@Module({ providers: [ContentEvents, AuthorRepository, PostRepository], exports: [ContentEvents, AuthorRepository, PostRepository] })
export class ContentModule {}
