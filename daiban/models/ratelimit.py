"""Rate-limit counters in the database, for sites whose cache is the database cache.

The database cache's incr() reads and writes in two steps, so concurrent requests lose counts;
an UPDATE ... SET count = count + 1 on one row is atomic.
"""

from django.db import models

__all__ = ["RateLimitCounter"]


class RateLimitCounter(models.Model):
    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "访问频率计数"
        verbose_name_plural = "访问频率计数"

    def __str__(self):
        return f"{self.key}: {self.count}"
