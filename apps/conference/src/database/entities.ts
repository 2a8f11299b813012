import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Language, Layout, Role } from '@mind/contracts';

@Entity('application')
export class ApplicationEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('integer', { name: 'max_participants' }) maxParticipants!: number;
  @Column('integer', { name: 'max_duration_seconds' }) maxDurationSeconds!: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  /** The application's SIP account (digest credentials of its calls); null: the gateways' default. */
  @Column('text', { name: 'sip_username', nullable: true }) sipUsername!: string | null;
  @Column('text', { name: 'sip_password', nullable: true }) sipPassword!: string | null;
}

@Entity('conference')
export class ConferenceEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'application_id' }) applicationId!: string;
  @Column('text') name!: string;
  @Column('text') layout!: Layout;
  @Column('boolean', { name: 'recording_started', default: false }) recordingStarted!: boolean;
  @Column('boolean', { name: 'transcription_started', default: false }) transcriptionStarted!: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'ending_at' }) endingAt!: Date;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  /** The media node hosting the conference's router, once somebody has started a session. */
  @Column('text', { name: 'media_node_id', nullable: true }) mediaNodeId!: string | null;
  /** How many recorded segments the stored MP4 covers (0: nothing to serve yet). */
  @Column('integer', { name: 'recording_segments_ready', default: 0 }) recordingSegmentsReady!: number;
  /** Epoch ms of the last start (or resume) of the recording; null: never recorded. */
  @Column('bigint', { name: 'recording_started_at', nullable: true }) recordingStartedAt!: string | null;
}

@Entity('recording_segment')
export class RecordingSegmentEntity {
  @PrimaryColumn('uuid', { name: 'conference_id' }) conferenceId!: string;
  @PrimaryColumn('text', { name: 'storage_key' }) storageKey!: string;
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  /** Epoch ms when its media ended, and how long it lasted (null: unknown, the file was unreadable). */
  @Column('bigint', { name: 'ended_at', nullable: true }) endedAt!: string | null;
  @Column('integer', { name: 'duration_ms', nullable: true }) durationMs!: number | null;
}

@Entity('participant')
export class ParticipantEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'conference_id' }) conferenceId!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('text') name!: string;
  @Column('double precision') priority!: number;
  @Column('text') role!: Role;
  @Column('text') layout!: Layout;
  @Column('text') language!: Language;
  @Column('boolean', { default: false }) online!: boolean;
  @Column('boolean', { default: false }) audio!: boolean;
  @Column('boolean', { default: false }) video!: boolean;
  @Column('boolean', { name: 'secondary_audio', default: false }) secondaryAudio!: boolean;
  @Column('boolean', { name: 'secondary_video', default: false }) secondaryVideo!: boolean;
  /** The current WebRTC session (its ICE ufrag); reports from a replaced session are ignored. */
  @Column('text', { name: 'session_id', nullable: true }) sessionId!: string | null;
  /** The media node its session goes to: the conference's, or another once the conference spreads. */
  @Column('text', { name: 'media_node_id', nullable: true }) mediaNodeId!: string | null;
  /** Creation order, for a stable listing. */
  @Column({ type: 'bigint', name: 'joined_seq', insert: false, update: false }) joinedSeq!: string;
}

@Entity('streaming')
export class StreamingEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'conference_id' }) conferenceId!: string;
  @Column('text') url!: string;
  @Column('boolean', { default: false }) alive!: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

/** Events committed with the change they describe, published to JetStream by the relay afterwards. */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq!: string;
  @Column('uuid', { name: 'conference_id' }) conferenceId!: string;
  @Column('json') payload!: Record<string, unknown>;
}

export const ENTITIES = [
  ApplicationEntity,
  ConferenceEntity,
  ParticipantEntity,
  StreamingEntity,
  OutboxEntity,
  RecordingSegmentEntity,
];
