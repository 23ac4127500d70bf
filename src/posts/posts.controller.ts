import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post as HttpPost, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { sendCreated, sendVersioned } from '../content/http-versioning';
import { IdPipe } from '../common/id.pipe';
import { CreatePostDto, ListPostsQueryDto, PatchPostDto, PostDto, PostPageDto, ReplacePostDto } from './dto/post.dto';
import { Post } from './post';
import { PostsService } from './posts.service';

@ApiTags('posts')
@ApiBearerAuth()
@Controller('posts')
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @HttpPost()
  @ApiCreatedResponse({ type: PostDto })
  async create(@Body() body: CreatePostDto, @Res({ passthrough: true }) res: Response): Promise<Post> {
    return sendCreated(res, await this.posts.create(body), 'posts');
  }

  @Get()
  @ApiOkResponse({ type: PostPageDto })
  list(@Query() query: ListPostsQueryDto) {
    return this.posts.list(query);
  }

  @Get(':id')
  @ApiOkResponse({ type: PostDto })
  async get(@Param('id', IdPipe) id: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersioned(res, await this.posts.get(id), ifNoneMatch);
  }

  @Put(':id')
  @ApiOkResponse({ type: PostDto })
  async replace(@Param('id', IdPipe) id: string, @Body() body: ReplacePostDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersioned(res, await this.posts.replace(id, body, ifMatch));
  }

  @Patch(':id')
  @ApiOkResponse({ type: PostDto })
  async patch(@Param('id', IdPipe) id: string, @Body() body: PatchPostDto, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) res: Response) {
    return sendVersioned(res, await this.posts.patch(id, body, ifMatch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@Param('id', IdPipe) id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.posts.remove(id, ifMatch);
  }
}
