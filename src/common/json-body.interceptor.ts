import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { Observable } from 'rxjs';
import { rejectHostileJson } from './hostile-json';
import { KEEP_RAW_BODY } from './raw-body.decorator';
import { JSON_MEDIA_TYPES, requireJsonBody } from './request-shape';

/** Posts carry up to 1 MiB of Markdown; JSON escaping can grow that, so the parser allows a margin. */
export const JSON_BODY_LIMIT = '3mb';

type Step = (req: Request, res: Response, next: NextFunction) => void;

/**
 * Reads the JSON body of a request that reached a route and passed its guards: Nest runs interceptors
 * after guards and before pipes, so an unauthenticated request is refused (401) before a byte of its body
 * is parsed, and malformed, oversized or non-JSON bodies (400, 413, 415) are only reported to callers
 * allowed to send them.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly steps: Step[] = [
    express.json({ limit: JSON_BODY_LIMIT, strict: true, type: JSON_MEDIA_TYPES }),
    requireJsonBody,
    rejectHostileJson,
  ];
  /**
   * For @KeepRawBody() routes (signed deliveries): the bytes only, as `req.rawBody`, whatever their media type.
   * The route checks their signature before it parses them, so a caller without the secret is refused (401)
   * however malformed its body, and learns nothing from a 400.
   */
  private readonly keepingRaw: Step[] = [
    express.raw({ limit: JSON_BODY_LIMIT, type: () => true }),
    (req, _res, next) => {
      const bytes: unknown = req.body;
      Object.assign(req, { rawBody: Buffer.isBuffer(bytes) ? bytes : undefined, body: undefined });
      next();
    },
  ];

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') {
      const http = context.switchToHttp();
      const [req, res] = [http.getRequest<Request>(), http.getResponse<Response>()];
      const keepRaw = Reflect.getMetadata(KEEP_RAW_BODY, context.getHandler()) === true;
      for (const step of keepRaw ? this.keepingRaw : this.steps) {
        // Express middleware reports failures as next(error); body-parser's errors carry their HTTP status.
        const failure = await new Promise<unknown>((resolve) => step(req, res, resolve));
        if (failure !== undefined && failure !== null) throw failure as Error;
      }
    }
    return next.handle();
  }
}
