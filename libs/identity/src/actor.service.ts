import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '#duban/domain';
import { UsersRepository } from './users.repository';

/** Loads who a user is for the access rules: their flag and every role with its org's path. */
@Injectable()
export class ActorService {
  constructor(
    private readonly db: DataSource,
    private readonly users: UsersRepository,
  ) {}

  async load(userId: string): Promise<Actor | null> {
    return this.users.loadActor(this.db.manager, userId);
  }

  /**
   * One round trip on every authenticated request: the user and their grants together, or null
   * when the user is disabled or the token was revoked (its generation is not the user's, or it
   * was logged out).
   */
  async loadForToken(
    userId: string,
    generation: number,
    jti: string | null,
  ): Promise<Actor | null> {
    return this.users.loadActorForToken(this.db.manager, userId, generation, jti);
  }
}
