import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc, { Arbitrary } from 'fast-check';
import { Schema, SchemaArbitraries } from './support/schema-arbitraries';
import { RunningApp, TestStack, startApp } from './support/stack';

/**
 * The OpenAPI document at /docs-json is the API: requests generated from the document itself (valid ones
 * and ones that break a rule, for every operation, with and without a token) are sent to the running
 * service, and every answer must be a status the document lists for that operation, with a body that
 * validates against the schema documented for it and the headers it promises. No 5xx, ever.
 *
 * Generation: fast-check (maintained, already the project's property-testing library; seeded and
 * reproducible, and it shrinks a failure to a small request). Validation: Ajv 8 with ajv-formats, the most
 * used JSON-Schema validator, which also knows OpenAPI's `nullable`.
 */

const TOKEN = 'conformance-token';
const RUNS = 1_200;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Response {
  content?: Record<string, { schema: Schema }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  secured: boolean;
  responses: Record<string, Response>;
}
interface Document {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: Schema }> };
        security?: unknown[];
        responses: Record<string, Response>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function operationsOf(document: Document): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema,
      secured: (op.security ?? []).length > 0,
      responses: op.responses,
    })),
  );
}

/** Ids (by collection: the path's first segment) and versions seen so far, so that generated requests also reach existing entities. */
const known = { ids: new Map<string, Set<string>>(), etags: new Set<string>(['"stale"']) };
const collectionOf = (path: string) => path.split('/')[1];
const idsOf = (collection: string): Set<string> =>
  known.ids.get(collection) ?? known.ids.set(collection, new Set()).get(collection)!;
/** One of the ids `collection` holds now (or a made-up one while it holds none). */
const existing = (collection: string): Arbitrary<string> =>
  fc.constant(null).chain(() => {
    const ids = [...idsOf(collection)];
    return ids.length === 0 ? fc.constant('none-yet') : fc.constantFrom(...ids);
  });

function requestFor(op: Operation, arbs: SchemaArbitraries, baseUrl: string): Arbitrary<Sent> {
  const value = (schema: Schema | undefined, validOnly: boolean) =>
    schema === undefined ? fc.constant('x') : validOnly ? arbs.valid(schema) : arbs.any(schema);
  const parameter = (p: Parameter): Arbitrary<[string, unknown] | null> => {
    let arb: Arbitrary<unknown>;
    if (p.in === 'path') {
      const junk = fc.constantFrom('..', '%2E%2E', 'a%2Fb', 'UPPER', '-x', 'x'.repeat(65));
      arb = fc.oneof({ arbitrary: existing(collectionOf(op.path)), weight: 6 }, value(p.schema, false), junk);
    } else if (p.in === 'header') {
      const etags = fc.constant(null).chain(() => fc.constantFrom(...known.etags));
      arb = fc.oneof(fc.constantFrom('*', 'W/"x"', '"x", "y"', 'garbage'), etags, value(p.schema, true));
    } else arb = value(p.schema, false);
    const pair = arb.map((v): [string, unknown] => [p.name, v]);
    return p.required ? pair : fc.oneof({ arbitrary: fc.constant(null), weight: p.in === 'header' ? 3 : 1 }, pair);
  };
  const body: Arbitrary<{ text?: string; type?: string }> =
    op.body === undefined
      ? fc.constant({})
      : fc.oneof(
          {
            arbitrary: arbs.valid(op.body).map((v) => ({ text: JSON.stringify(v), type: 'application/json' })),
            weight: 8,
          },
          {
            arbitrary: arbs.any(op.body).map((v) => ({ text: JSON.stringify(v), type: 'application/json' })),
            weight: 6,
          },
          {
            arbitrary: fc
              .constantFrom('{"broken": ', '', 'null', '[]', '"text"')
              .map((text) => ({ text, type: 'application/json' })),
            weight: 1,
          },
          { arbitrary: fc.constant({ text: 'name=x', type: 'text/plain' }), weight: 1 },
          { arbitrary: fc.constant({}), weight: 1 },
        );
  const auth = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${TOKEN}`), weight: 8 },
    fc.constantFrom(undefined, 'Bearer wrong', `Basic ${TOKEN}`),
  );
  return fc.record({ params: fc.tuple(...op.parameters.map(parameter)), body, auth }).map(({ params, body, auth }) => {
    let path = op.path;
    const query = new URLSearchParams();
    const headers: Record<string, string> = {};
    params.forEach((pair, i) => {
      if (pair === null) return;
      const [name, v] = pair;
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      const where = op.parameters[i].in;
      // One non-empty path segment, sent as is (a URL parser would resolve `.` and `..` segments away).
      if (where === 'path')
        path = path.replace(
          `{${name}}`,
          /%[0-9A-F]{2}/.test(text) ? text : encodeURIComponent(text).replace(/\./g, '%2E') || '%20',
        );
      else if (where === 'query') query.set(name, text);
      else headers[name] = text.replace(/[^\x20-\x7e]/g, '');
    });
    if (auth !== undefined) headers.authorization = auth;
    if (body.type !== undefined) headers['content-type'] = body.type;
    const search = query.toString();
    return {
      method: op.method,
      url: `${baseUrl}${path}${search === '' ? '' : `?${search}`}`,
      headers,
      body: body.text,
    };
  });
}

/**
 * OpenAPI 3.0's `nullable: true` as plain JSON Schema: "this, or null". Also where the schema is a reference
 * wrapped in allOf, the form generators write for a nullable object, which Ajv's own `nullable` would reject.
 */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (typeof value !== 'object' || value === null) return value;
  const { nullable, ...rest } = value as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([key, v]) => [key, toJsonSchema(v)]));
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

describe('the OpenAPI document tells the truth', () => {
  let stack: TestStack;
  let running: RunningApp;
  let document: Document;
  let ajv: Ajv;
  const validators = new Map<Schema, ValidateFunction>();

  beforeAll(async () => {
    stack = await TestStack.start();
    running = await startApp(stack.config({ API_TOKENS: TOKEN }));
    const auth = { authorization: `Bearer ${TOKEN}` };
    const seed = async (path: string, body: object) => {
      const res = await fetch(`${running.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
    };
    await seed('/authors', { id: 'ann', name: 'Ann' });
    idsOf('authors').add('ann');
    for (const id of ['hello', 'second', 'third']) {
      await seed('/posts', { id, title: id, body: 'Hi', authorIds: ['ann'], status: 'published' });
      idsOf('posts').add(id);
    }
    document = (await (await fetch(`${running.url}/docs-json`, { headers: auth })).json()) as Document;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(toJsonSchema({ components: document.components }) as object, 'openapi');
  });

  afterAll(async () => {
    await running?.close();
    await stack?.stop();
  });

  const validatorFor = (schema: Schema): ValidateFunction => {
    let validate = validators.get(schema);
    if (validate === undefined) {
      // Point the document's local references at the copy registered under "openapi".
      validate = ajv.compile(
        toJsonSchema(
          JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')),
        ) as object,
      );
      validators.set(schema, validate);
    }
    return validate;
  };

  it('documents every operation with its error schema, headers and rules', () => {
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(17);
    for (const op of operations.filter((o) => o.secured))
      expect(op.responses['401']?.content?.['application/json']).toBeDefined();
    expect(JSON.stringify(document)).not.toContain('JWT');
  });

  it(`answers ${RUNS} generated requests only with documented statuses, bodies and headers, and never a 5xx`, async () => {
    const authors = fc.constant(null).chain(() => {
      const ids = [...idsOf('authors')];
      return ids.length === 0
        ? fc.constant<string[]>(['none-yet'])
        : fc.subarray(ids, { minLength: 1, maxLength: Math.min(3, ids.length) });
    });
    // A body's id must equal the path's (PUT, PATCH) or be free (POST): leave it out of valid bodies, as clients
    // do. A publishAt goes only with status "scheduled" and a future instant (a rule across fields): leave it out
    // too, and so send only the statuses that need none. Bodies that break a rule still get any of them.
    const arbs = new SchemaArbitraries(document.components.schemas, {
      authorIds: authors,
      id: fc.constant(undefined),
      publishAt: fc.constant(undefined),
      status: fc.constantFrom(undefined, 'draft', 'published'),
    });
    const operations = operationsOf(document);
    const seen = new Map<string, Set<number>>();
    const sent = fc.oneof(...operations.map((op) => requestFor(op, arbs, running.url).map((req) => ({ op, req }))));
    await fc.assert(
      fc.asyncProperty(sent, async ({ op, req }) => {
        const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
        const text = await res.text();
        const where = `${req.method} ${req.url} -> ${res.status} ${text.slice(0, 300)}`;
        (
          seen.get(`${op.method} ${op.path}`) ??
          seen.set(`${op.method} ${op.path}`, new Set()).get(`${op.method} ${op.path}`)!
        ).add(res.status);
        if (res.status >= 500 && !(op.path === '/health/ready' && res.status === 503))
          throw new Error(`server error: ${where}`);
        const documented = op.responses[String(res.status)];
        if (documented === undefined) throw new Error(`undocumented status: ${where}`);
        // The body is read as the media type it was sent with; each must be one the document lists for this status.
        const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
        const schema = documented.content?.[mediaType === '' ? 'application/json' : mediaType]?.schema;
        if (schema === undefined) {
          if (text !== '') throw new Error(`a body where none is documented (${mediaType}): ${where}`);
        } else if (mediaType !== 'application/json') {
          if (schema.type !== 'string')
            throw new Error(`a ${mediaType} body documented as ${String(schema.type)}: ${where}`);
        } else {
          const validate = validatorFor(schema);
          if (!validate(JSON.parse(text)))
            throw new Error(`body does not match the documented schema (${ajv.errorsText(validate.errors)}): ${where}`);
        }
        for (const header of Object.keys(documented.headers ?? {})) {
          if (!res.headers.has(header)) throw new Error(`documented header ${header} missing: ${where}`);
        }
        if (res.status >= 400 && res.headers.has('etag')) throw new Error(`an ETag on an error: ${where}`);
        if (res.status >= 200 && res.status < 300 && mediaType === 'application/json' && text !== '') {
          const id = (JSON.parse(text) as { id?: unknown }).id;
          if (typeof id === 'string') idsOf(collectionOf(op.path)).add(id);
        }
        if (res.status === 204)
          idsOf(collectionOf(op.path)).delete(decodeURIComponent(new URL(req.url).pathname.split('/')[2]));
        const etag = res.headers.get('etag');
        if (etag !== null) known.etags.add(etag);
      }),
      { numRuns: RUNS, seed: Number(process.env.CONFORMANCE_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
    );
    // Generation reached every operation, and beyond its error answers.
    for (const op of operations) expect(seen.get(`${op.method} ${op.path}`)).toBeDefined();
    // A webhook delivery succeeds only when signed with the receiver's secret, which no generated request is.
    const signed = new Set(
      operations
        .filter((op) => op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-hub-signature-256'))
        .map((op) => `${op.method} ${op.path}`),
    );
    const unsuccessful = [...seen]
      .filter(([op, statuses]) => !signed.has(op) && ![...statuses].some((s) => s < 300))
      .map(([op, statuses]) => `${op}: ${[...statuses].join(',')}`);
    expect(unsuccessful).toEqual([]);
  }, 240_000); // ~20 s alone; several times that on a loaded machine with other test files in parallel
});
