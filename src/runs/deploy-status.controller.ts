import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { DeployStatusAnswer, SiteState } from './deploy-status.rules';
import { DeployStatusService } from './deploy-status.service';

const SITE_STATES: SiteState[] = ['live', 'pending', 'building', 'failed', 'not-on-site', 'unknown'];

export class DeployStatusDto implements DeployStatusAnswer {
  @ApiProperty({ enum: SITE_STATES, description: "Whether the entity's latest change is on the site" })
  state!: SiteState;
  @ApiProperty({ type: String, nullable: true, description: 'The deploy the answer comes from' }) deployId!:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Its GitHub Actions run' }) runUrl!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Since when, as far as the records tell',
  })
  since!: string | null;
}

@ApiTags('deploys')
@ApiBearerAuth()
@Controller()
export class DeployStatusController {
  constructor(private readonly status: DeployStatusService) {}

  @Get('authors/:id/deploy-status')
  @ApiOkResponse({ type: DeployStatusDto })
  @ApiNotFoundResponse({ description: 'No such author' })
  author(@Param('id', IdPipe) id: string): Promise<DeployStatusAnswer> {
    return this.status.of('author', id);
  }

  @Get('posts/:id/deploy-status')
  @ApiOkResponse({ type: DeployStatusDto })
  @ApiNotFoundResponse({ description: 'No such post' })
  post(@Param('id', IdPipe) id: string): Promise<DeployStatusAnswer> {
    return this.status.of('post', id);
  }
}
