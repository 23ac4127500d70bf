import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { EchoedTimestampsDto } from '../../common/echoed-timestamps.dto';
import { ENTITY_ID_SCHEMA, HTTP_URL_SCHEMA, IsEntityId, IsHttpUrl } from '../../common/validators';

export class AuthorLinkDto {
  @ApiProperty({ example: 'Mastodon', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  label!: string;

  @ApiProperty({ ...HTTP_URL_SCHEMA, example: 'https://example.social/@jane' })
  @IsHttpUrl()
  url!: string;
}

/** The fields an editor sets on an author. */
export class AuthorFieldsDto {
  @ApiProperty({ example: 'Jane Doe', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ description: 'Job title', example: 'Staff Engineer', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  bio?: string;

  @ApiPropertyOptional({ ...HTTP_URL_SCHEMA, example: 'https://cdn.example.com/jane.png' })
  @IsOptional()
  @IsHttpUrl()
  avatarUrl?: string;

  @ApiPropertyOptional({ type: [AuthorLinkDto], maxItems: 10 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  // ValidateNested alone lets a nested array through as if it were a link.
  @IsObject({ each: true, message: 'each of links must be an object { label, url }' })
  @ValidateNested({ each: true })
  @Type(() => AuthorLinkDto)
  links?: AuthorLinkDto[];
}

export class CreateAuthorDto extends AuthorFieldsDto {
  @ApiPropertyOptional({ ...ENTITY_ID_SCHEMA, description: 'Derived from the name when omitted', example: 'jane-doe' })
  @IsOptional()
  @IsEntityId()
  id?: string;
}

/**
 * Full replace. Server fields may be sent back as read (a client PUTs what it GOT) and are ignored;
 * an id that differs from the path is refused.
 */
export class ReplaceAuthorDto extends IntersectionType(CreateAuthorDto, EchoedTimestampsDto) {}

export class PatchAuthorDto extends PartialType(ReplaceAuthorDto) {}

/** An author as stored and returned; its rules also check objects read from the bucket (stored-document.ts). */
export class AuthorDto extends AuthorFieldsDto {
  @ApiProperty({ ...ENTITY_ID_SCHEMA, example: 'jane-doe' })
  @IsEntityId()
  id!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601()
  updatedAt!: string;
}

export class AuthorPageDto {
  @ApiProperty({ type: [AuthorDto] })
  items!: AuthorDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
