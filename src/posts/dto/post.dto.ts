import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { EchoedTimestampsDto } from '../../common/echoed-timestamps.dto';
import { ListQueryDto } from '../../common/list-query.dto';
import { ENTITY_ID_SCHEMA, HTTP_URL_SCHEMA, IsEntityId, IsHttpUrl, MaxBytes } from '../../common/validators';
import { IsPublishAt } from '../../scheduling/publish-at';
import { POST_STATUSES, PostStatus } from '../post';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The fields an editor sets on a post. */
export class PostFieldsDto {
  @ApiProperty({ example: 'Hello, world', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  summary?: string;

  @ApiProperty({ description: 'Markdown, at most 1 MiB of UTF-8', maxLength: MAX_BODY_BYTES })
  @IsString()
  @MaxBytes(MAX_BODY_BYTES)
  body!: string;

  @ApiProperty({
    type: 'array',
    items: ENTITY_ID_SCHEMA,
    minItems: 1,
    maxItems: 10,
    uniqueItems: true,
    example: ['jane-doe'],
    description: 'Ids of existing authors',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsEntityId({ each: true })
  authorIds!: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 40 },
    maxItems: 20,
    example: ['engineering'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 40, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ ...HTTP_URL_SCHEMA, example: 'https://cdn.example.com/cover.png' })
  @IsOptional()
  @IsHttpUrl()
  coverImageUrl?: string;

  @ApiPropertyOptional({ enum: POST_STATUSES, default: 'draft' })
  @IsOptional()
  @IsIn(POST_STATUSES)
  status?: PostStatus;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Required with status "scheduled" (then in the future), else null: when the post goes live. ISO 8601 with an offset; stored in UTC',
  })
  @IsPublishAt()
  publishAt?: string | null;
}

export class CreatePostDto extends PostFieldsDto {
  @ApiPropertyOptional({
    ...ENTITY_ID_SCHEMA,
    description: 'Derived from the title when omitted',
    example: 'hello-world',
  })
  @IsOptional()
  @IsEntityId()
  id?: string;
}

/** Full replace; server fields sent back as read are ignored (see ReplaceAuthorDto). */
export class ReplacePostDto extends IntersectionType(CreatePostDto, EchoedTimestampsDto) {
  @ApiPropertyOptional({ readOnly: true, type: String, nullable: true })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsISO8601()
  publishedAt?: string | null;
}

export class PatchPostDto extends PartialType(ReplacePostDto) {}

/** A post as stored and returned; its rules also check objects read from the bucket (stored-document.ts). */
// Not `extends PostFieldsDto`: there `status` is optional (it defaults on input), in a stored post it is required.
export class PostDto extends OmitType(PostFieldsDto, ['status'] as const) {
  @ApiProperty({ ...ENTITY_ID_SCHEMA, example: 'hello-world' })
  @IsEntityId()
  id!: string;

  @ApiProperty({ enum: POST_STATUSES })
  @IsIn(POST_STATUSES)
  status!: PostStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a scheduled post goes live (UTC); null for any other status',
  })
  @IsPublishAt()
  override publishAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @ValidateIf((_, value) => value !== null)
  @IsISO8601()
  publishedAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  updatedAt!: string;
}

export class PostPageDto {
  @ApiProperty({ type: [PostDto] })
  items!: PostDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

export class ListPostsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ ...ENTITY_ID_SCHEMA, description: 'Only posts credited to this author' })
  @IsOptional()
  @IsEntityId()
  authorId?: string;

  @ApiPropertyOptional({ description: 'Only posts with this tag', minLength: 1, maxLength: 40 })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  tag?: string;

  @ApiPropertyOptional({ enum: POST_STATUSES })
  @IsOptional()
  @IsIn(POST_STATUSES)
  status?: PostStatus;
}
