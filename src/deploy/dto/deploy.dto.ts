import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CHANGE_ACTIONS, ChangeAction, ContentChange, ENTITY_KINDS, EntityKind } from '../../content/content-change';
import { DEPLOY_REASONS, DEPLOY_STATUSES, Deploy, DeployReason, DeployRun, DeployStatus } from '../deploy.types';

export class DeployChangeDto implements ContentChange {
  @ApiProperty({ enum: ENTITY_KINDS }) kind!: EntityKind;
  @ApiProperty() id!: string;
  @ApiProperty({ enum: CHANGE_ACTIONS }) action!: ChangeAction;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class DeployRunDto implements DeployRun {
  @ApiProperty() id!: number;
  @ApiProperty({ format: 'uri' }) url!: string;
  @ApiProperty({ description: "GitHub's run status (queued, in_progress, completed, ...)" }) status!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "GitHub's conclusion once completed (success, failure, cancelled, ...)",
  })
  conclusion!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt!: string | null;
}

export class DeployDto implements Deploy {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: DEPLOY_STATUSES }) status!: DeployStatus;
  @ApiProperty({ enum: DEPLOY_REASONS }) reason!: DeployReason;
  @ApiProperty({
    type: [DeployChangeDto],
    description: 'One entry per entity changed, its latest action, newest first',
  })
  changes!: DeployChangeDto[];
  @ApiProperty({ description: 'Entities changed' }) changeCount!: number;
  @ApiProperty({ description: 'Acknowledged edits coalesced into this deploy' }) editCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstChangeAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastChangeAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it fires; null while held' })
  scheduledFor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dispatchedAt!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'What went wrong, in words a person can act on' })
  lastError!: string | null;
  @ApiProperty({
    type: DeployRunDto,
    nullable: true,
    description: 'The GitHub Actions run this deploy started, once known',
  })
  run!: DeployRunDto | null;
}

export class DeployListDto {
  @ApiProperty({ type: [DeployDto] }) items!: DeployDto[];
}

export class ListDeploysQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 20;
}

export class ManualDeployDto {
  @ApiPropertyOptional({ description: 'Why, for the log', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
