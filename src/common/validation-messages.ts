import type { ValidationError } from 'class-validator';

/**
 * One message per rule broken, nested fields named by their path (`links.0.url ...`). A required field that is
 * missing (or null) gets one message, "x is required", instead of one per rule its absent value also breaks.
 * Needs the ValidationErrors to carry `value` (never copied into a message: it may be large or secret).
 */
export function validationMessages(errors: readonly ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const name = path === '' ? e.property : `${path}.${e.property}`;
    const unknownField = e.constraints?.whitelistValidation !== undefined;
    if ((e.value === undefined || e.value === null) && !unknownField) return [`${name} is required`];
    const own = Object.values(e.constraints ?? {}).map((m) => (path === '' ? m : `${path}.${m}`));
    return [...own, ...validationMessages(e.children ?? [], name)];
  });
}
