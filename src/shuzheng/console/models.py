"""The scheduler's two tables (``console.scheduler``, docs/deploy/processes.md).

- ``SchedulerLease``: who is the one active scheduler. One row per lease name; the holder renews
  ``expires_at`` every few seconds; another scheduler takes the row over once it has expired.
- ``ScheduledRun``: one row per (job, slot) a scheduler ran or enqueued, written in the same
  transaction as the run (or the task row it enqueued). The unique constraint is what makes a
  slot run at most once, whichever scheduler believes it leads.
"""

from __future__ import annotations

from django.db import models


class SchedulerLease(models.Model):
    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=128)
    acquired_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "调度租约"
        verbose_name_plural = "调度租约"

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"


class ScheduledRun(models.Model):
    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="slot number: seconds since the epoch // every")
    slot_start = models.DateTimeField()
    holder = models.CharField(max_length=128)
    ran_at = models.DateTimeField()

    class Meta:
        verbose_name = "定时任务运行"
        verbose_name_plural = "定时任务运行"
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="console_scheduledrun_once")
        ]
        indexes = [models.Index(fields=["ran_at"], name="console_scheduledrun_ran")]

    def __str__(self) -> str:
        return f"{self.job}#{self.slot}"
