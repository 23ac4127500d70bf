import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { defer, from, lastValueFrom, Observable } from 'rxjs';
import { WritesInProgress } from './writes-in-progress';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** On a content controller: every request that may write (POST, PUT, PATCH, DELETE) is a write in progress until it has answered. */
@Injectable()
export class TrackWritesInterceptor implements NestInterceptor {
  constructor(private readonly writes: WritesInProgress) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (SAFE_METHODS.has(context.switchToHttp().getRequest<Request>().method)) return next.handle();
    return defer(() => from(this.writes.during(() => lastValueFrom(next.handle(), { defaultValue: undefined }))));
  }
}
