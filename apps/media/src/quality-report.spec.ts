import { parseQualityReport } from './quality-report';

describe('quality reports from clients', () => {
  it('reads a distortion report on a participant stream or the conference', () => {
    expect(
      parseQualityReport('1:2f8e7a4c-1111-4a2b-9c3d-000000000001#primary#video:1764316800000:1'),
    ).toEqual({
      label: '2f8e7a4c-1111-4a2b-9c3d-000000000001#primary',
      kind: 'video',
      startMs: 1764316800000,
      seconds: 1,
    });
    expect(parseQualityReport('1:conference#audio:5:2.5')).toMatchObject({
      label: 'conference',
      kind: 'audio',
      seconds: 2.5,
    });
  });

  it.each(['', 'hello', '2:conference#audio:1:1', '1:conference#screen:1:1', '1:#audio:x:1', '{"type":"x"}'])(
    'ignores %j',
    (text) => {
      expect(parseQualityReport(text)).toBeNull();
    },
  );
});
