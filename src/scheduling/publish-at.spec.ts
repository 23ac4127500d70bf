import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { InvalidInputError } from '../common/domain-errors';
import { POST_STATUSES, Post, PostStatus } from '../posts/post';
import { IsPublishAt, checkedPublishAt, publishAtAfterPatch, publishedVersion, scheduleVersion } from './publish-at';

class Sample {
  @IsPublishAt()
  publishAt?: string | null;
}

const shapeProblems = (publishAt: unknown): string[] =>
  validateSync(plainToInstance(Sample, { publishAt })).flatMap((e) => Object.values(e.constraints ?? {}));

const NOW = Date.parse('2026-12-01T15:00:00Z');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('publishAt', () => {
  describe('shape', () => {
    it.each([
      '2026-12-02T09:00:00+09:00',
      '2026-12-02T09:00:00Z',
      '2026-12-02T09:00:00.123-05:30',
      '2026-12-02T09:00Z',
      '2026-12-02T09:00:00+0900',
    ])('accepts %s', (value) => {
      expect(shapeProblems(value)).toEqual([]);
    });

    it.each([null, undefined])('leaves %s to the status rule', (value) => {
      expect(shapeProblems(value)).toEqual([]);
    });

    it.each([
      '2026-12-02T09:00:00',
      '2026-12-02T09:00:00+09',
      '2026-12-02',
      '2026-12-02 09:00:00Z',
      '2026-02-30T09:00:00Z',
      'tomorrow',
      1767254400000,
    ])('refuses %j, naming the field', (value) => {
      const problems = shapeProblems(value);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join()).toContain('publishAt');
    });

    it('explains that an offset is required', () => {
      expect(shapeProblems('2026-12-02T09:00:00').join()).toContain('offset');
    });
  });

  describe('with the status', () => {
    it('is stored in UTC: the same instant whatever offset it was sent with', () => {
      expect(checkedPublishAt('scheduled', '2026-12-02T09:00:00+09:00', NOW)).toBe('2026-12-02T00:00:00.000Z');
      expect(checkedPublishAt('scheduled', '2026-12-01T19:00:00-05:00', NOW)).toBe('2026-12-02T00:00:00.000Z');
    });

    it('is required with status scheduled', () => {
      expect(refusal(() => checkedPublishAt('scheduled', undefined, NOW))).toMatch(
        /publishAt is required with status "scheduled"/,
      );
      expect(refusal(() => checkedPublishAt('scheduled', null, NOW))).toMatch(/publishAt is required/);
    });

    it('must then be in the future', () => {
      expect(refusal(() => checkedPublishAt('scheduled', new Date(NOW).toISOString(), NOW))).toMatch(
        /publishAt must be in the future/,
      );
      expect(refusal(() => checkedPublishAt('scheduled', '2026-12-01T23:59:00+09:00', NOW))).toMatch(
        /must be in the future: 2026-12-01T14:59:00.000Z/,
      );
      expect(checkedPublishAt('scheduled', new Date(NOW + 1).toISOString(), NOW)).toBe(new Date(NOW + 1).toISOString());
    });

    it('an overdue post keeps its passed instant through an edit; a different passed instant is still refused', () => {
      const overdue = new Date(NOW - 60_000).toISOString();
      expect(checkedPublishAt('scheduled', overdue, NOW, overdue)).toBe(overdue);
      // The same instant written with another offset is the same instant.
      const sameInOsaka = new Date(NOW - 60_000 + 9 * 3600_000).toISOString().replace('Z', '+09:00');
      expect(checkedPublishAt('scheduled', sameInOsaka, NOW, overdue)).toBe(overdue);
      expect(refusal(() => checkedPublishAt('scheduled', new Date(NOW - 1).toISOString(), NOW, overdue))).toMatch(
        /publishAt must be in the future/,
      );
      expect(refusal(() => checkedPublishAt('draft', overdue, NOW, overdue))).toMatch(/only accepted with status/);
    });

    it.each(['draft', 'published'] as const)('is refused with status %s, and null without it', (status) => {
      expect(refusal(() => checkedPublishAt(status, '2030-01-01T00:00:00Z', NOW))).toMatch(
        /only accepted with status "scheduled"/,
      );
      expect(checkedPublishAt(status, undefined, NOW)).toBeNull();
      expect(checkedPublishAt(status, null, NOW)).toBeNull();
    });

    it('holds for every status, instant and clock (property)', () => {
      const status = fc.constantFrom<PostStatus>(...POST_STATUSES);
      const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });
      const offsetMinutes = fc.integer({ min: -12 * 60, max: 14 * 60 });
      fc.assert(
        fc.property(
          status,
          fc.option(fc.tuple(instant, offsetMinutes), { nil: undefined }),
          instant,
          (s, given, now) => {
            const sent = given === undefined ? undefined : withOffset(given[0], given[1]);
            const valid = s === 'scheduled' ? given !== undefined && given[0] > now : given === undefined;
            if (!valid) return expect(() => checkedPublishAt(s, sent, now)).toThrow(InvalidInputError);
            const stored = checkedPublishAt(s, sent, now);
            expect(stored).toBe(s === 'scheduled' ? new Date(given![0]).toISOString() : null);
            if (stored !== null) expect(shapeProblems(sent)).toEqual([]);
          },
        ),
      );
    });
  });

  describe('after a PATCH', () => {
    it('a PATCH that changes the status away from scheduled without sending publishAt clears it', () => {
      expect(
        publishAtAfterPatch({ status: 'draft', publishAt: '2030-01-01T00:00:00.000Z' }, { publishAt: undefined }),
      ).toBeNull();
      expect(publishAtAfterPatch({ status: 'published', publishAt: '2030-01-01T00:00:00.000Z' }, {})).toBeNull();
    });

    it('a PATCH that sends publishAt keeps it, for the status rule to judge', () => {
      expect(
        publishAtAfterPatch(
          { status: 'draft', publishAt: '2030-01-01T00:00:00Z' },
          { publishAt: '2030-01-01T00:00:00Z' },
        ),
      ).toBe('2030-01-01T00:00:00Z');
    });

    it('a scheduled post keeps its publishAt through a PATCH of other fields', () => {
      expect(publishAtAfterPatch({ status: 'scheduled', publishAt: '2030-01-01T00:00:00.000Z' }, {})).toBe(
        '2030-01-01T00:00:00.000Z',
      );
    });
  });

  describe('publication', () => {
    const scheduled: Post = {
      id: 'p',
      title: 'T',
      body: 'B',
      authorIds: ['a'],
      status: 'scheduled',
      publishAt: '2026-12-02T00:00:00.000Z',
      publishedAt: null,
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };

    it('rewrites status, publishAt, publishedAt and updatedAt, nothing else', () => {
      const at = Date.parse('2026-12-02T00:00:00.250Z');
      expect(publishedVersion(scheduled, at)).toEqual({
        ...scheduled,
        status: 'published',
        publishAt: null,
        publishedAt: '2026-12-02T00:00:00.000Z',
        updatedAt: '2026-12-02T00:00:00.250Z',
      });
    });

    it('names a version: any change of the post gives another', () => {
      expect(scheduleVersion({ ...scheduled })).toBe(scheduleVersion(scheduled));
      expect(scheduleVersion(JSON.parse(JSON.stringify(scheduled)) as Post)).toBe(scheduleVersion(scheduled));
      for (const change of [
        { title: 'U' },
        { publishAt: '2026-12-03T00:00:00.000Z' },
        { updatedAt: '2026-12-01T00:00:00.001Z' },
      ]) {
        expect(scheduleVersion({ ...scheduled, ...change })).not.toBe(scheduleVersion(scheduled));
      }
    });
  });
});

/** The instant written in local time at the given offset, e.g. 2026-12-02T09:00:00.000+09:00. */
function withOffset(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
