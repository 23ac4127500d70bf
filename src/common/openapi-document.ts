import type { OpenAPIObject } from '@nestjs/swagger';

// The parts of the document this file edits, derived from OpenAPIObject: @nestjs/swagger exports that type but
// not its parts, and its private dist/ paths are not an API to import from.
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ParameterObject = Exclude<NonNullable<OperationObject['parameters']>[number], ReferenceObject>;
type ReferenceObject = { $ref: string };
type ResponseObject = Exclude<OperationObject['responses'][string], ReferenceObject | undefined>;
type SchemaObject = Exclude<NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string], ReferenceObject>;

/**
 * Completes the generated OpenAPI document with what holds for every operation, so that it lists every status
 * an operation can answer (clients are generated from it, and a spec-driven test holds the service to it):
 *
 * - 400 where there is a parameter or a body, 413 and 415 where there is a body, 404 where the path names an id,
 *   401 (with its `WWW-Authenticate` challenge) where a bearer token is needed, 503 when Redis or S3 cannot be
 *   reached; every error with the `{ statusCode, error, message }` body;
 * - `additionalProperties: false` on every object schema: unknown fields are refused, and none are sent;
 * - in request bodies, an optional field may be `null` ("no value"); in a PATCH only the fields a PUT may omit.
 */

const ERROR_REF = { $ref: '#/components/schemas/ErrorDto' };

const COMMON: Record<number, string> = {
  400: 'A parameter or the body breaks a rule: the message names each bad field',
  401: 'No or an unknown bearer token (checked before the body is read)',
  404: 'No entity has this id',
  413: 'The body is larger than the service accepts',
  415: 'The body is not JSON (Content-Type: application/json)',
  503: 'Redis or S3 cannot be reached right now; nothing was changed',
};

type Operations = Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', OperationObject>>;

const isRef = (value: unknown): value is ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

function schemaName(operation: OperationObject | undefined): string | undefined {
  const body = operation?.requestBody;
  if (body === undefined || isRef(body)) return undefined;
  const schema = body.content['application/json']?.schema;
  return isRef(schema) ? schema.$ref.split('/').pop() : undefined;
}

function addError(operation: OperationObject, status: number, extra: Partial<ResponseObject> = {}): void {
  const responses = operation.responses;
  if (responses[status] !== undefined) return;
  responses[status] = { description: COMMON[status], content: { 'application/json': { schema: ERROR_REF } }, ...extra };
}

function completeOperation(operation: OperationObject, globalSecurity: boolean): void {
  const parameters = (operation.parameters ?? []).filter((p): p is ParameterObject => !isRef(p));
  const hasBody = operation.requestBody !== undefined;
  if (hasBody || parameters.some((p) => p.in === 'path' || p.in === 'query')) addError(operation, 400);
  if (parameters.some((p) => p.in === 'path' && p.name === 'id')) addError(operation, 404);
  if (hasBody) [413, 415].forEach((status) => addError(operation, status));
  const secured = (operation.security ?? (globalSecurity ? [{}] : [])).length > 0;
  if (secured) {
    addError(operation, 401, {
      headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } },
    });
    addError(operation, 503);
  }
  // Error bodies declared without a schema get the shared one.
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) >= 400 && response !== undefined && !isRef(response) && response.content === undefined)
      response.content = { 'application/json': { schema: ERROR_REF } };
  }
}

function nullableOptionals(schema: SchemaObject, except: ReadonlySet<string>): void {
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (required.has(name) || except.has(name) || isRef(property) || property.readOnly) continue;
    property.nullable = true;
    if (property.enum !== undefined && !property.enum.includes(null))
      property.enum = [...(property.enum as unknown[]), null];
  }
}

export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? {};
  for (const schema of Object.values(schemas)) {
    if (!isRef(schema) && schema.type === 'object' && schema.additionalProperties === undefined)
      schema.additionalProperties = false;
  }
  for (const scheme of Object.values(document.components.securitySchemes ?? {})) {
    // Any opaque token from API_TOKENS, not a JWT.
    if (!isRef(scheme) && scheme.scheme === 'bearer') delete scheme.bearerFormat;
  }
  for (const operations of Object.values(document.paths) as Operations[]) {
    for (const operation of Object.values(operations))
      completeOperation(operation, (document.security ?? []).length > 0);
    const put = schemas[schemaName(operations.put) ?? ''];
    const putRequired = new Set(put !== undefined && !isRef(put) ? (put.required ?? []) : []);
    for (const [method, operation] of Object.entries(operations) as [keyof Operations, OperationObject][]) {
      const body = schemas[schemaName(operation) ?? ''];
      if (body !== undefined && !isRef(body)) nullableOptionals(body, method === 'patch' ? putRequired : new Set());
    }
  }
  return document;
}
