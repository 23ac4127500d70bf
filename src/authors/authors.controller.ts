import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiCreateEntity, ApiDeleteEntity, ApiReadEntity, ApiUnreadable, ApiWriteEntity } from '../common/api-docs';
import type { Response } from 'express';
import { sendCreated, sendVersioned } from '../content/http-versioning';
import { TrackWritesInterceptor } from '../content/track-writes.interceptor';
import { IdPipe } from '../common/id.pipe';
import { ListQueryDto } from '../common/list-query.dto';
import { Author } from './author';
import { AuthorsService } from './authors.service';
import { AuthorDto, AuthorPageDto, CreateAuthorDto, PatchAuthorDto, ReplaceAuthorDto } from './dto/author.dto';

@ApiTags('authors')
@ApiBearerAuth()
@Controller('authors')
@UseInterceptors(TrackWritesInterceptor)
export class AuthorsController {
  constructor(private readonly authors: AuthorsService) {}

  @Post()
  @ApiCreateEntity(AuthorDto)
  async create(@Body() body: CreateAuthorDto, @Res({ passthrough: true }) res: Response): Promise<Author> {
    return sendCreated(res, await this.authors.create(body), 'authors');
  }

  @Get()
  @ApiOkResponse({ type: AuthorPageDto })
  list(@Query() query: ListQueryDto) {
    return this.authors.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiReadEntity(AuthorDto)
  async get(
    @Param('id', IdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.authors.get(id), ifNoneMatch);
  }

  @Put(':id')
  @ApiWriteEntity(AuthorDto)
  async replace(
    @Param('id', IdPipe) id: string,
    @Body() body: ReplaceAuthorDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.authors.replace(id, body, ifMatch));
  }

  @Patch(':id')
  @ApiWriteEntity(AuthorDto, [ApiUnreadable('The entity')])
  async patch(
    @Param('id', IdPipe) id: string,
    @Body() body: PatchAuthorDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.authors.patch(id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiDeleteEntity(
    'The author is still credited on posts (named in the message), or other writers changed it during every attempt',
  )
  async remove(@Param('id', IdPipe) id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.authors.remove(id, ifMatch);
  }
}
