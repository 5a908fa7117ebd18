import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { kafkaClientConfig } from '@matih/executor';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { SourceRef } from '../deployments/plan-sources';

export interface TopicOffsets {
  /** partition → log end offset */
  readonly ends: Map<number, bigint>;
  /** partition → the group's committed offset (null: none) */
  readonly committed: Map<number, bigint | null>;
}

/** Reads end offsets and a group's committed offsets from the data Kafka clusters (one admin client per cluster). */
@Injectable()
export class KafkaOffsetsRepository implements OnModuleDestroy {
  private readonly admins = new Map<string, Promise<Admin>>();

  async read(source: SourceRef): Promise<TopicOffsets> {
    const admin = await this.admin(source);
    const [ends, groups] = await Promise.all([admin.fetchTopicOffsets(source.topic), admin.fetchOffsets({ groupId: source.group, topics: [source.topic] })]);
    const committed = new Map<number, bigint | null>();
    for (const p of groups[0]?.partitions ?? []) committed.set(p.partition, p.offset === '-1' ? null : BigInt(p.offset));
    return { ends: new Map(ends.map((e) => [e.partition, BigInt(e.high)])), committed };
  }

  async onModuleDestroy(): Promise<void> {
    const all = [...this.admins.values()];
    this.admins.clear();
    await Promise.all(all.map(async (a) => (await a.catch(() => undefined))?.disconnect()));
  }

  private admin(source: SourceRef): Promise<Admin> {
    const key = JSON.stringify(source.connection);
    let admin = this.admins.get(key);
    if (!admin) {
      const kafka = new Kafka({ ...kafkaClientConfig(source.connection, 'matih-monitor'), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
      const client = kafka.admin();
      admin = client.connect().then(() => client);
      admin.catch(() => this.admins.delete(key));
      this.admins.set(key, admin);
    }
    return admin;
  }
}
