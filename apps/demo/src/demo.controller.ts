import { Body, Controller, Get, Header, HttpException, Inject, Param, Post } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { Logger } from '@mind/logging';
import { LOGGER } from '@mind/runtime';
import { DemoAssets } from './demo-assets';
import { DemoApiError, RoomDirectory } from './room-directory';

const joinSchema = {
  params: {
    type: 'object',
    required: ['room'],
    properties: { room: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  },
  body: {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

/** The demo's page, its script, and the little backend any customer writes (room → conference). */
@Controller()
export class DemoController {
  constructor(
    private readonly page: DemoAssets,
    private readonly rooms: RoomDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  html(): string {
    return this.page.html;
  }

  @Get('demo.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  script(): string {
    return this.page.script;
  }

  @Post('rooms/:room/participants')
  @RouteSchema(joinSchema)
  async join(@Param('room') room: string, @Body() body: { name: string }) {
    try {
      return await this.rooms.join(room, body.name);
    } catch (error) {
      // The platform refused (full conference, bad token): say why instead of a bare 500.
      const status = error instanceof DemoApiError && error.status < 500 ? 409 : 502;
      this.logger.warn({ err: error, room }, 'demo join failed');
      throw new HttpException({ error: (error as Error).message }, status);
    }
  }
}
