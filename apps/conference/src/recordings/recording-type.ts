/**
 * What `GET {c}/recording` answers: MP4 unless `Accept` prefers a JPEG. Browsers send `*\/*` for a
 * `<video>` element, which gets the MP4.
 */
export function preferredRecordingType(accept: string | undefined): 'video/mp4' | 'image/jpeg' {
  if (!accept) return 'video/mp4';
  const quality = (type: string) => {
    let best = 0;
    for (const part of accept.split(',')) {
      const [range, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      const [major] = type.split('/');
      const matches = range === type ? 3 : range === `${major}/*` ? 2 : range === '*/*' ? 1 : 0;
      if (matches && (Number.isFinite(q) ? q : 0) > 0) best = Math.max(best, matches * 10 + q);
    }
    return best;
  };
  return quality('image/jpeg') > quality('video/mp4') ? 'image/jpeg' : 'video/mp4';
}
