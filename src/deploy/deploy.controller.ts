import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { DeployService } from './deploy.service';
import { Deploy } from './deploy.types';
import { DeployDto, DeployListDto, ListDeploysQueryDto, ManualDeployDto } from './dto/deploy.dto';

@ApiTags('deploys')
@ApiBearerAuth()
@Controller('deploys')
export class DeployController {
  constructor(private readonly deploys: DeployService) {}

  @Get()
  @ApiOkResponse({ type: DeployListDto })
  async list(@Query() query: ListDeploysQueryDto): Promise<{ items: Deploy[] }> {
    return { items: await this.deploys.list(query.limit) };
  }

  @Get(':id')
  @ApiOkResponse({ type: DeployDto })
  get(@Param('id', IdPipe) id: string): Promise<Deploy> {
    return this.deploys.get(id);
  }

  /** A manual deploy, fired now, taking every pending change with it. */
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ type: DeployDto })
  create(@Body() body: ManualDeployDto): Promise<Deploy> {
    return this.deploys.requestNow('manual', body.reason);
  }
}
