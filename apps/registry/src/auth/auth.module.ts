import { Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config';
import { AuthGuard } from './auth.guard';
import { TokensController } from './tokens.controller';
import { TokensRepository } from './tokens.repository';

/** The first admin: the token in REGISTRY_ADMIN_TOKEN, when set, is an admin's. */
@Injectable()
class BootstrapAdmin implements OnApplicationBootstrap {
  constructor(
    private readonly tokens: TokensRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.REGISTRY_ADMIN_TOKEN) await this.tokens.store(this.config.REGISTRY_ADMIN_TOKEN, 'admin', 'admin', null);
  }
}

@Module({
  controllers: [TokensController],
  providers: [TokensRepository, BootstrapAdmin, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokensRepository],
})
export class AuthModule {}
