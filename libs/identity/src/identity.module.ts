import { Module } from '@nestjs/common';
import { ActorService } from './actor.service';
import { OrgsRepository } from './orgs.repository';
import { OrgsService } from './orgs.service';
import { PasswordHasher } from './password-hasher';
import { RolesRepository } from './roles.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const REPOSITORIES = [OrgsRepository, RolesRepository, UsersRepository];

@Module({
  providers: [...REPOSITORIES, ActorService, OrgsService, UsersService, PasswordHasher],
  exports: [...REPOSITORIES, ActorService, OrgsService, UsersService, PasswordHasher],
})
export class IdentityModule {}
