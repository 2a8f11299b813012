/** A client's report of a distorted subscription: `1:<label>#audio|video:<startMs>:<seconds>`. */
export interface QualityReport {
  label: string;
  kind: 'audio' | 'video';
  startMs: number;
  seconds: number;
}

const REPORT = /^1:(.+)#(audio|video):(\d+):(\d+(?:\.\d+)?)$/;

/** Null for anything else a client may send on its channel: never an error, never fatal. */
export function parseQualityReport(text: string): QualityReport | null {
  const match = REPORT.exec(text.trim());
  if (!match) return null;
  return {
    label: match[1],
    kind: match[2] as 'audio' | 'video',
    startMs: Number(match[3]),
    seconds: Number(match[4]),
  };
}
