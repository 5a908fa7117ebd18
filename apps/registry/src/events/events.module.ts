import { Global, Module } from '@nestjs/common';
import { EventStore } from './event-store.repository';

@Global()
@Module({ providers: [EventStore], exports: [EventStore] })
export class EventsModule {}
