import { Global, Module } from '@nestjs/common';
import { ContentEvents } from './content-events';
import { AuthorRepository, PostRepository } from './repositories';

@Global()
@Module({ providers: [ContentEvents, AuthorRepository, PostRepository], exports: [ContentEvents, AuthorRepository, PostRepository] })
export class ContentModule {}
