import { rejectsRunDetails } from './workflow-dispatch';

const answered = (status: number, message: string) =>
  Object.assign(new Error('HttpError'), { status, response: { status, headers: {}, data: { message } } });

describe('rejectsRunDetails', () => {
  it.each([
    [422, 'Invalid request.\n\n"return_run_details" is not a permitted key.', true],
    [400, 'Unknown parameter return_run_details', true],
    [422, 'Unexpected inputs provided: ["x"]', false],
    [404, 'return_run_details', false],
    [500, 'Server Error', false],
  ])('%i %j → %s', (status, message, expected) => {
    expect(rejectsRunDetails(answered(status, message))).toBe(expected);
  });

  it('is false for a network failure', () => {
    expect(rejectsRunDetails(new Error('fetch failed'))).toBe(false);
  });
});
