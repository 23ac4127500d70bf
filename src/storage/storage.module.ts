import { Global, Module } from '@nestjs/common';
import { ConditionalWrites } from './conditional-writes';
import { S3StorageService } from './s3-storage.service';

@Global()
@Module({ providers: [S3StorageService, ConditionalWrites], exports: [S3StorageService, ConditionalWrites] })
export class StorageModule {}
