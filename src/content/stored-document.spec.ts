import { AuthorDto } from '../authors/dto/author.dto';
import { PostDto } from '../posts/dto/post.dto';
import { StoredDocumentReader } from './stored-document';

const NOW = '2026-01-01T00:00:00.000Z';
const authors = new StoredDocumentReader('author', AuthorDto);
const posts = new StoredDocumentReader('post', PostDto);
const post = {
  id: 'p',
  title: 'T',
  body: 'B',
  authorIds: ['a'],
  status: 'draft',
  publishedAt: null,
  createdAt: NOW,
  updatedAt: NOW,
};

describe('StoredDocumentReader', () => {
  it('reads a valid document as is', () => {
    const author = {
      id: 'ada',
      name: 'Ada',
      links: [{ label: 'Site', url: 'https://ada.example' }],
      createdAt: NOW,
      updatedAt: NOW,
    };
    expect(authors.read('ada', JSON.stringify(author))).toEqual({ doc: author });
    expect(posts.read('p', JSON.stringify({ ...post, status: 'published', publishedAt: NOW }))).toEqual({
      doc: { ...post, status: 'published', publishedAt: NOW },
    });
  });

  it.each([
    ['{not json', 'it is not valid JSON'],
    ['[]', 'it is not a JSON object'],
    ['"text"', 'it is not a JSON object'],
    [JSON.stringify({ ...post, id: 'other' }), 'its id is "other", not "p" as its key says'],
    [JSON.stringify({ ...post, id: undefined }), 'its id is undefined, not "p" as its key says'],
    [
      JSON.stringify({ ...post, title: '' }),
      'it does not match the post schema: title must be longer than or equal to 1 characters',
    ],
    [JSON.stringify({ ...post, body: undefined }), 'it does not match the post schema: body is required'],
    [JSON.stringify({ ...post, status: undefined }), 'it does not match the post schema: status is required'],
    [JSON.stringify({ ...post, extra: 1 }), 'it does not match the post schema: property extra should not exist'],
    [
      JSON.stringify({ ...post, createdAt: 'yesterday' }),
      'it does not match the post schema: createdAt must be a valid ISO 8601 date string',
    ],
  ])('says what is wrong with %s', (body, problem) => {
    expect(posts.read('p', body).problem).toContain(problem);
  });

  it('names the first few problems and counts the rest', () => {
    const problem = posts.read(
      'p',
      JSON.stringify({
        id: 'p',
        title: 7,
        body: 7,
        authorIds: 7,
        status: 7,
        publishedAt: 7,
        createdAt: 7,
        updatedAt: 7,
      }),
    ).problem!;
    expect(problem).toMatch(/\(and \d+ more\)$/);
  });
});
