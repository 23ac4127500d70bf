import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { DeployReason, DeployStatus } from '../deploy.types';

export class DeployChangeDto {
  @ApiProperty({ enum: ['author', 'post'] }) kind!: 'author' | 'post';
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['created', 'updated', 'deleted'] }) action!: 'created' | 'updated' | 'deleted';
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class DeployDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['pending', 'dispatching', 'retrying', 'dispatched', 'failed', 'dry-run'] }) status!: DeployStatus;
  @ApiProperty({ enum: ['changes', 'manual', 'reconcile'] }) reason!: DeployReason;
  @ApiProperty({ type: [DeployChangeDto], description: 'One entry per entity changed, its latest action, newest first' }) changes!: DeployChangeDto[];
  @ApiProperty({ description: 'Entities changed' }) changeCount!: number;
  @ApiProperty({ description: 'Acknowledged edits coalesced into this deploy' }) editCount!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) firstChangeAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastChangeAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) scheduledFor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) dispatchedAt!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'What went wrong, in words a person can act on' }) lastError!: string | null;
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
