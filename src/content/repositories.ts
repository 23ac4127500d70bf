import { Injectable } from '@nestjs/common';
import type { Author } from '../authors/author';
import { AuthorDto } from '../authors/dto/author.dto';
import { PostDto } from '../posts/dto/post.dto';
import type { Post } from '../posts/post';
import { RedisService } from '../redis/redis.service';
import { ConditionalWrites } from '../storage/conditional-writes';
import { S3StorageService } from '../storage/s3-storage.service';
import { ContentRepository } from './content-repository';

/** Shared by AuthorsService and PostsService, which check each other's documents (references, deletes). */
@Injectable()
export class AuthorRepository extends ContentRepository<Author> {
  constructor(storage: S3StorageService, redis: RedisService, conditional: ConditionalWrites) {
    super('Author', 'author', AuthorDto, storage, redis, conditional);
  }
}

@Injectable()
export class PostRepository extends ContentRepository<Post> {
  constructor(storage: S3StorageService, redis: RedisService, conditional: ConditionalWrites) {
    super('Post', 'post', PostDto, storage, redis, conditional);
  }
}
