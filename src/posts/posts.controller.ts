import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post as HttpPost,
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
import { CreatePostDto, ListPostsQueryDto, PatchPostDto, PostDto, PostPageDto, ReplacePostDto } from './dto/post.dto';
import { Post } from './post';
import { PostsService } from './posts.service';

@ApiTags('posts')
@ApiBearerAuth()
@Controller('posts')
@UseInterceptors(TrackWritesInterceptor)
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @HttpPost()
  @ApiCreateEntity(PostDto, [ApiUnreadable('An author named in authorIds')])
  async create(@Body() body: CreatePostDto, @Res({ passthrough: true }) res: Response): Promise<Post> {
    return sendCreated(res, await this.posts.create(body), 'posts');
  }

  @Get()
  @ApiOkResponse({ type: PostPageDto })
  list(@Query() query: ListPostsQueryDto) {
    return this.posts.list(query);
  }

  @Get(':id')
  @ApiReadEntity(PostDto)
  async get(
    @Param('id', IdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.posts.get(id), ifNoneMatch);
  }

  @Put(':id')
  @ApiWriteEntity(PostDto, [ApiUnreadable('An author named in authorIds')])
  async replace(
    @Param('id', IdPipe) id: string,
    @Body() body: ReplacePostDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.posts.replace(id, body, ifMatch));
  }

  @Patch(':id')
  @ApiWriteEntity(PostDto, [ApiUnreadable('The entity, or an author named in authorIds,')])
  async patch(
    @Param('id', IdPipe) id: string,
    @Body() body: PatchPostDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return sendVersioned(res, await this.posts.patch(id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiDeleteEntity('Other writers changed the post during every attempt to delete it; nothing was deleted')
  async remove(@Param('id', IdPipe) id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.posts.remove(id, ifMatch);
  }
}
