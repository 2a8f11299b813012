import { Module } from '@nestjs/common';
import { ApplicationTokenCache } from './application-token-cache';
import { Authenticator } from './authenticator';

/** Who is calling: application and participant tokens. */
@Module({ providers: [ApplicationTokenCache, Authenticator], exports: [Authenticator] })
export class AccessModule {}
