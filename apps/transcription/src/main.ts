import './telemetry';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@mind/config';
import { natsCheck, registerHealthRoutes } from '@mind/health';
import { createLogger, PinoNestLogger } from '@mind/logging';
import { connectNats, ProtocolBus } from '@mind/messaging';
import { runService } from '@mind/runtime';
import { ThreadRecogniser } from './recognition-thread';
import { verifySpeechEngine } from './speech-engine-choice';
import { TranscriptionModule } from './transcription.module';

async function bootstrap(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger('transcription', config.logLevel);
  const languages = await verifySpeechEngine(config.transcription);
  const recogniser = new ThreadRecogniser(config.transcription, languages, logger);
  const nc = await connectNats(config.nats, 'transcription', logger);
  const bus = new ProtocolBus(nc, config.nats.prefix, config.rpcTimeoutMs, logger);

  const app = await NestFactory.create<NestFastifyApplication>(
    TranscriptionModule.register({ config, logger, bus }, recogniser),
    new FastifyAdapter(),
    { logger: new PinoNestLogger(logger) },
  );
  registerHealthRoutes(app.getHttpAdapter().getInstance(), { nats: natsCheck(nc) });
  await app.listen(config.transcription.healthPort, config.http.host);
  logger.info(
    { port: config.transcription.healthPort, engine: config.transcription.engine, languages },
    'transcription worker ready',
  );

  return async () => {
    await app.close();
    await nc.drain().catch(() => undefined);
  };
}

runService('transcription', bootstrap);
