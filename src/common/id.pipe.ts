import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidInputError } from './domain-errors';
import { isValidId } from './ids';

export const ID_RULE = 'id must be 1-64 lowercase letters, digits or inner hyphens (a-z, 0-9, -)';

/** Rejects a path id that breaks the id rule before anything reaches S3 (`..`, `/`, uppercase, Hangul, too long). */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidId(value)) {
      throw new InvalidInputError([ID_RULE]);
    }
    return value;
  }
}
