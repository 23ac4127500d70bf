import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateAuthorDto } from '../authors/dto/author.dto';
import { CreatePostDto, MAX_BODY_BYTES } from '../posts/dto/post.dto';
import { IsEntityId, IsHttpUrl, MaxBytes } from './validators';

class Sample {
  @IsHttpUrl()
  url!: string;

  @MaxBytes(4)
  text!: string;

  @IsEntityId()
  id!: string;
}

function problems<T extends object>(type: new () => T, plain: object): string[] {
  return validateSync(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) => [
    ...Object.values(e.constraints ?? {}),
    ...(e.children ?? []).flatMap((c) => (c.children ?? []).flatMap((g) => Object.values(g.constraints ?? {}))),
  ]);
}

const valid = { url: 'https://example.com/a.png', text: 'abcd', id: 'jane-doe' };

describe('custom validators', () => {
  it('accepts a valid sample', () => {
    expect(problems(Sample, valid)).toEqual([]);
  });

  it.each(['http://localhost:3000/x', 'https://cdn.example.com/a.png?x=1'])('IsHttpUrl accepts %s', (url) => {
    expect(problems(Sample, { ...valid, url })).toEqual([]);
  });

  it.each([
    'javascript:alert(1)',
    'ftp://example.com/a',
    '//example.com/a',
    'example.com',
    'data:text/html,hi',
    `https://e.com/${'a'.repeat(2100)}`,
    42,
  ])('IsHttpUrl refuses %j', (url) => {
    expect(problems(Sample, { ...valid, url }).join()).toContain('url');
  });

  it('MaxBytes counts UTF-8 bytes, not characters', () => {
    expect(problems(Sample, { ...valid, text: '한' })).toEqual([]); // 3 bytes
    expect(problems(Sample, { ...valid, text: '한a' })).toEqual([]); // 4 bytes
    expect(problems(Sample, { ...valid, text: '한한' })).toEqual(['text must be at most 4 bytes of UTF-8']); // 2 chars, 6 bytes
    expect(problems(Sample, { ...valid, text: '🚀a' })).toEqual(['text must be at most 4 bytes of UTF-8']); // the emoji alone is 4 bytes: 5 in all
    expect(problems(Sample, { ...valid, text: 7 })).toEqual(['text must be at most 4 bytes of UTF-8']);
  });

  it.each(['Jane', '..', 'a/b', 'x'.repeat(65), '-a'])('IsEntityId refuses %j', (id) => {
    expect(problems(Sample, { ...valid, id })).toEqual([
      'id must be 1-64 lowercase letters, digits or inner hyphens (a-z, 0-9, -)',
    ]);
  });
});

describe('content DTOs', () => {
  it('name each bad author field', () => {
    const found = problems(CreateAuthorDto, {
      name: '',
      bio: 'x'.repeat(2001),
      avatarUrl: 'nope',
      links: [{ label: '', url: 'x' }],
      extra: 1,
    });
    for (const field of ['name', 'bio', 'avatarUrl', 'label', 'url', 'extra'])
      expect(found.join(' | ')).toContain(field);
  });

  it('limit a post body to 1 MiB of UTF-8', () => {
    const post = { title: 'T', authorIds: ['jane'] };
    expect(problems(CreatePostDto, { ...post, body: 'a'.repeat(MAX_BODY_BYTES) })).toEqual([]);
    // 349,526 Hangul syllables are 1,048,578 bytes: under the limit in characters, over it in bytes.
    expect(problems(CreatePostDto, { ...post, body: '한'.repeat(349_526) })).toEqual([
      'body must be at most 1048576 bytes of UTF-8',
    ]);
  });

  it('bound authorIds (1-10, unique, valid ids) and tags (<=20, 1-40 chars)', () => {
    const base = { title: 'T', body: 'B' };
    expect(problems(CreatePostDto, { ...base, authorIds: [] }).join()).toContain('authorIds');
    expect(
      problems(CreatePostDto, { ...base, authorIds: Array.from({ length: 11 }, (_, i) => `a${i}`) }).join(),
    ).toContain('authorIds');
    expect(problems(CreatePostDto, { ...base, authorIds: ['a', 'a'] }).join()).toContain('authorIds');
    expect(problems(CreatePostDto, { ...base, authorIds: ['Bad'] }).join()).toContain('authorIds');
    expect(problems(CreatePostDto, { ...base, authorIds: ['a'], tags: [''] }).join()).toContain('tags');
    expect(
      problems(CreatePostDto, {
        ...base,
        authorIds: ['a'],
        tags: Array.from({ length: 21 }, (_, i) => `t${i}`),
      }).join(),
    ).toContain('tags');
    expect(problems(CreatePostDto, { ...base, authorIds: ['a'], status: 'archived' }).join()).toContain('status');
  });
});
