import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Brings a group of metrics up to date just before they are read (e.g. counts from SQL). */
export interface ScrapeRefresher {
  refresh(): Promise<void>;
}

/**
 * The metrics of one application instance. A registry of its own rather than prom-client's
 * global one, so several apps in one process (the e2e tests) do not share or clash over series.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly refreshers: ScrapeRefresher[] = [];
  private inFlight: Promise<string> | null = null;

  constructor() {
    // Process metrics (CPU, memory, event loop lag, GC, handles) under their standard names.
    collectDefaultMetrics({ register: this.registry });
  }

  onScrape(refresher: ScrapeRefresher): void {
    this.refreshers.push(refresher);
  }

  /**
   * The Prometheus text exposition. Scrapes arriving while one is being computed share it, so
   * several scrapers never multiply the queries behind the metrics.
   */
  scrape(): Promise<string> {
    this.inFlight ??= (async () => {
      try {
        await Promise.all(this.refreshers.map((r) => r.refresh()));
        return await this.registry.metrics();
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}
