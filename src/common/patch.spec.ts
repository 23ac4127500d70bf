import { AuthorFieldsDto } from '../authors/dto/author.dto';
import { PostFieldsDto } from '../posts/dto/post.dto';
import { InvalidInputError } from './domain-errors';
import { applyPatch, compact } from './patch';

const SERVER_FIELDS = ['id', 'createdAt', 'updatedAt'];
const author = {
  id: 'jane',
  name: 'Jane',
  title: 'Editor',
  bio: 'Hi',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

async function problemsOf(work: Promise<unknown>): Promise<string[]> {
  try {
    await work;
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('applyPatch', () => {
  it('replaces given fields and keeps the others', async () => {
    expect(await applyPatch(author, { title: 'Staff Engineer' }, SERVER_FIELDS, AuthorFieldsDto)).toEqual({
      ...author,
      title: 'Staff Engineer',
    });
  });

  it('removes an optional field set to null and ignores undefined', async () => {
    const patched = await applyPatch(author, { title: null, bio: undefined }, SERVER_FIELDS, AuthorFieldsDto);
    expect(patched).toEqual({
      id: 'jane',
      name: 'Jane',
      bio: 'Hi',
      createdAt: author.createdAt,
      updatedAt: author.updatedAt,
    });
    expect('title' in patched).toBe(false);
  });

  it('refuses null on a required field, naming it', async () => {
    const problems = await problemsOf(applyPatch(author, { name: null }, SERVER_FIELDS, AuthorFieldsDto));
    expect(problems.join(' ')).toContain('name');
  });

  it('never lets a patch change server fields', async () => {
    const patched = await applyPatch(
      author,
      { id: 'other', createdAt: '2000-01-01T00:00:00.000Z', updatedAt: null },
      SERVER_FIELDS,
      AuthorFieldsDto,
    );
    expect(patched).toEqual(author);
  });

  it('validates the merged result as a full body', async () => {
    const post = {
      id: 'p',
      title: 'T',
      body: 'B',
      authorIds: ['jane'],
      status: 'draft',
      publishedAt: null,
      createdAt: 'x',
      updatedAt: 'x',
    };
    const serverFields = [...SERVER_FIELDS, 'publishedAt'];
    expect(await applyPatch(post, { tags: ['a'] }, serverFields, PostFieldsDto)).toMatchObject({ tags: ['a'] });
    const problems = await problemsOf(applyPatch(post, { authorIds: null, body: null }, serverFields, PostFieldsDto));
    expect(problems.sort()).toEqual(['authorIds is required', 'body is required']);
  });
});

describe('compact', () => {
  it('drops undefined and null values, keeps falsy ones', () => {
    expect(compact({ a: undefined, b: null, c: '', d: 0, e: false, f: [] })).toEqual({ c: '', d: 0, e: false, f: [] });
  });
});
