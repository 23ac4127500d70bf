import { CanActivate, ExecutionContext, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuthenticationRequiredError } from './auth-errors';
import { bearerToken, tokenAccepted } from './bearer-tokens';
import { IS_PUBLIC } from './public.decorator';

/**
 * Every route but the @Public() ones needs `Authorization: Bearer <one of API_TOKENS>`, when API_TOKENS is set.
 * Guards run before the request body is read (JsonBodyInterceptor), so an unauthenticated caller gets a 401
 * whatever it sends and cannot probe the parser.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate, OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    if (this.config.apiTokens.length === 0) {
      new Logger('Auth').warn(
        'API_TOKENS is not set: the API is open to anyone who can reach it. Set API_TOKENS outside development.',
      );
    }
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.config.apiTokens.length === 0) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (token !== undefined && tokenAccepted(token, this.config.apiTokens)) return true;
    throw new AuthenticationRequiredError();
  }
}
