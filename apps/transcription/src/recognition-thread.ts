import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LanguageNotSupportedError, type Recognition } from '@mind/asr';
import type { Config } from '@mind/config';
import type { Logger } from '@mind/logging';
import type { RecognitionChannel, Recogniser } from './recogniser';
import type { FromRecognitionThread, ToRecognitionThread } from './recognition-thread-protocol';

/**
 * Recognition on a thread of its own (`recognition-worker.ts`), so the voices' packets, decoding and
 * voice activity detection on the main thread never wait for it. A thread that dies takes the process
 * with it: its decoders are gone, and the media nodes move the voices to another worker.
 */
export class ThreadRecogniser implements Recogniser {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (answer: FromRecognitionThread) => void>();
  private requests = 0;
  private channels = 0;
  private closing = false;

  constructor(
    private readonly settings: Config['transcription'],
    readonly languages: readonly string[],
    logger: Logger,
  ) {
    this.worker = new Worker(join(__dirname, 'recognition-worker.js'), { workerData: settings });
    this.worker.on('message', (answer: FromRecognitionThread) => {
      this.pending.get(answer.id)?.(answer);
      this.pending.delete(answer.id);
    });
    this.worker.on('error', (error) => logger.fatal({ err: error }, 'recognition thread failed'));
    this.worker.on('exit', (code) => {
      if (this.closing) return;
      logger.fatal({ code }, 'recognition thread exited');
      process.exit(1);
    });
  }

  open(language: string): RecognitionChannel {
    if (!this.languages.includes(language))
      throw new LanguageNotSupportedError(this.settings.engine, language);
    const channel = ++this.channels;
    // The thread takes messages in order: audio sent meanwhile waits there for the decoder, and a
    // decoder that failed to open fails each finish.
    const opened = this.request({ type: 'open', id: 0, channel, language });
    opened.catch(() => undefined);
    return {
      accept: (samples) => this.send({ type: 'accept', channel, samples }),
      finish: async () => {
        await opened;
        return (await this.request({ type: 'finish', id: 0, channel }))!;
      },
      close: () => this.send({ type: 'close', channel }),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private request(message: Extract<ToRecognitionThread, { id: number }>): Promise<Recognition | undefined> {
    const id = ++this.requests;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (answer) => {
        if (answer.ok) return resolve(answer.recognition);
        reject(
          answer.unsupported
            ? new LanguageNotSupportedError(
                this.settings.engine,
                message.type === 'open' ? message.language : '',
              )
            : new Error(answer.error),
        );
      });
      this.send({ ...message, id });
    });
  }

  private send(message: ToRecognitionThread) {
    this.worker.postMessage(message);
  }
}
