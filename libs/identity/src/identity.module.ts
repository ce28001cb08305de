import { Module } from '@nestjs/common';
import { ActorService } from './actor.service';
import { OrgsService } from './orgs.service';
import { PasswordHasher } from './password-hasher';
import { UsersService } from './users.service';

@Module({
  providers: [ActorService, OrgsService, UsersService, PasswordHasher],
  exports: [ActorService, OrgsService, UsersService, PasswordHasher],
})
export class IdentityModule {}
