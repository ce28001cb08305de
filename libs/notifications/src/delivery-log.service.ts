import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Actor, isAdministrator, forbidden, Page, PageRequest } from '#duban/domain';
import {
  DeliveriesRepository,
  type DeliveryState,
  type DeliveryView,
} from './deliveries.repository';

/**
 * The delivery log for administrators, dead letters first of all. The system administrator
 * sees everything; an org admin sees deliveries to people holding a role in their subtree and
 * posts to robots of orgs in it.
 */
@Injectable()
export class DeliveryLogService {
  constructor(
    private readonly db: DataSource,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  async list(
    actor: Actor,
    filter: { state?: DeliveryState; channel?: 'email' | 'webhook' },
    page: PageRequest,
  ): Promise<Page<DeliveryView>> {
    if (!isAdministrator(actor)) {
      throw forbidden('查看投递记录须有管理员角色 — the delivery log needs the admin role');
    }
    return this.deliveries.log(this.db.manager, actor, filter, page);
  }
}
