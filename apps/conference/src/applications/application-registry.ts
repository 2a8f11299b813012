import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { generateToken, hashToken } from '@mind/auth';
import { ApplicationEntity } from '../database/entities';

/** The free shared development application of the Mind API reference: same id and token, same limits. */
export const DEVELOPMENT_APPLICATION = {
  id: '00e1db72-c57d-478c-88be-3533d43c8b34',
  token:
    'W1VJggwnvg2ldDdvSYES07tpLCWLDlD5nFakVJ6QSCPiZRpAMGyAzKW07OpM1IpceZ2WT5h5Mu7Ekt7WDTQzMUoQkVTRE4NdYUFE',
  name: 'Shared development application',
  maxParticipants: 5,
  maxDurationSeconds: 15 * 60,
} as const;

export interface ApplicationSpec {
  id?: string;
  token?: string;
  name?: string;
  maxParticipants: number;
  maxDurationSeconds: number;
}

/** Stores an application (its token only as a digest) and returns its id and clear token, shown once. */
export async function createApplication(dataSource: DataSource, spec: ApplicationSpec) {
  const id = spec.id ?? randomUUID();
  const token = spec.token ?? generateToken();
  await dataSource.getRepository(ApplicationEntity).upsert(
    {
      id,
      name: spec.name ?? '',
      tokenHash: hashToken(token),
      maxParticipants: spec.maxParticipants,
      maxDurationSeconds: spec.maxDurationSeconds,
    },
    ['id'],
  );
  return { id, token };
}

/**
 * Gives an application a new token; the old one stops working at once on every conference service
 * (the database announces the change). Null when there is no such application.
 */
export async function rotateApplicationToken(dataSource: DataSource, id: string) {
  const token = generateToken();
  const result = await dataSource
    .getRepository(ApplicationEntity)
    .update({ id }, { tokenHash: hashToken(token) });
  return result.affected ? { id, token } : null;
}

/**
 * Sets (or, with null, removes) the SIP account an application's calls answer digest challenges
 * with. False when there is no such application.
 */
export async function setApplicationSipAccount(
  dataSource: DataSource,
  id: string,
  account: { username: string; password: string } | null,
): Promise<boolean> {
  const result = await dataSource
    .getRepository(ApplicationEntity)
    .update({ id }, { sipUsername: account?.username ?? null, sipPassword: account?.password ?? null });
  return Boolean(result.affected);
}

export const ensureDevelopmentApplication = (dataSource: DataSource) =>
  createApplication(dataSource, DEVELOPMENT_APPLICATION);
