import { Counter, Gauge, type Registry } from 'prom-client';

/** Backups taken and failed, and the age of the newest, per EtcdBackup (label `backup`: namespace/name). */
export class BackupMetrics {
  readonly taken: Counter<'backup'>;
  readonly failed: Counter<'backup'>;
  readonly #lastSuccess = new Map<string, number>();

  constructor(registry: Registry) {
    this.taken = new Counter({
      name: 'strata_etcd_backups_taken_total',
      help: 'Backups stored whole and verified',
      labelNames: ['backup'],
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'strata_etcd_backups_failed_total',
      help: 'Backup attempts that stored nothing',
      labelNames: ['backup'],
      registers: [registry],
    });
    const lastSuccess = this.#lastSuccess;
    new Gauge({
      name: 'strata_etcd_backup_age_seconds',
      help: 'Seconds since the newest stored backup was taken',
      labelNames: ['backup'],
      registers: [registry],
      // Computed at scrape time, so the age grows between backups without a timer.
      collect() {
        for (const [backup, takenAt] of lastSuccess) this.set({ backup }, (Date.now() - takenAt) / 1000);
      },
    });
  }

  /** The newest backup of `backup` was taken at `takenAt`. */
  succeeded(backup: string, takenAt: string): void {
    this.#lastSuccess.set(backup, Date.parse(takenAt));
  }

  forget(backup: string): void {
    this.#lastSuccess.delete(backup);
  }
}
