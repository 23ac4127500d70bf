import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';

/**
 * Server-set timestamps a client may send back unchanged in a PUT or PATCH body (it PUTs what it GOT).
 * They are accepted so that round-trip is not a 400, and ignored: the server keeps its own values.
 */
export class EchoedTimestampsDto {
  @ApiPropertyOptional({ readOnly: true })
  @IsOptional()
  @IsISO8601()
  createdAt?: string;

  @ApiPropertyOptional({ readOnly: true })
  @IsOptional()
  @IsISO8601()
  updatedAt?: string;
}
