import { Module } from '@nestjs/common';
import { EventStore } from './event-store.repository';

@Module({ providers: [EventStore], exports: [EventStore] })
export class EventsModule {}
