import { preferredRecordingType } from './recording-type';

describe('recording representation by Accept', () => {
  it.each([
    [undefined, 'video/mp4'],
    ['*/*', 'video/mp4'],
    ['video/mp4', 'video/mp4'],
    ['image/jpeg', 'image/jpeg'],
    ['image/*', 'image/jpeg'],
    ['image/jpeg, video/mp4', 'video/mp4'],
    ['image/jpeg, */*;q=0.8', 'image/jpeg'],
    ['video/*;q=0.5, image/jpeg', 'image/jpeg'],
    ['image/jpeg;q=0, */*', 'video/mp4'],
  ])('%s → %s', (accept, type) => {
    expect(preferredRecordingType(accept)).toBe(type);
  });
});
