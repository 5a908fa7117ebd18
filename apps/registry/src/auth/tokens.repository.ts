import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal, Role } from './principal';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** API tokens: only their SHA-256 is stored; the token itself is shown once, when it is created. */
@Injectable()
export class TokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async resolve(token: string): Promise<Principal | null> {
    const [row] = (await this.dataSource.query(
      `SELECT principal, role, team FROM registry.api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hashToken(token)],
    )) as { principal: string; role: Role; team: string | null }[];
    return row ? { name: row.principal, role: row.role, team: row.team } : null;
  }

  /** Create a token for a principal; returns the token, which is not stored anywhere. */
  async create(principal: string, role: Role, team: string | null): Promise<string> {
    const token = `mtk_${randomBytes(32).toString('base64url')}`;
    await this.store(token, principal, role, team);
    return token;
  }

  /** Store a token chosen elsewhere (the bootstrap admin token from the environment); idempotent. */
  async store(token: string, principal: string, role: Role, team: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO registry.api_tokens (id, token_hash, principal, role, team) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING`,
      [randomUUID(), hashToken(token), principal, role, team],
    );
  }
}
