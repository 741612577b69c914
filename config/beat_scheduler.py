"""celery-redbeat's scheduler, kept alive while Redis fails over or restarts.

RedBeatScheduler extends its lock on every tick with a plain Redis call: a lost connection
(the master died and no replica is promoted yet, or one Redis restarts) raised out of the
tick and stopped the beat for good, and a lock the new master never received (replication
is asynchronous) raised LockNotOwnedError. Here a tick that cannot reach Redis is tried
again a second later, and a lost lock is taken again the way a starting beat takes it
(waiting while another beat holds it), so one beat still runs across hosts
(docs/operations.md, "One beat across hosts" and "Redis failover (Sentinel)").
"""

import logging
from types import SimpleNamespace

from redbeat.schedulers import RedBeatScheduler, acquire_distributed_beat_lock
from redis import exceptions as redis_errors

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class FailoverSafeRedBeatScheduler(RedBeatScheduler):
    lock_lost = False

    def tick(self, min=min, **kwargs):
        try:
            if self.lock_key and (self.lock is None or self.lock_lost):
                # Blocks while another beat holds the lock, as at start (redbeat's handler).
                acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=self))
                self.lock_lost = False
            return super().tick(min=min, **kwargs)
        except redis_errors.LockNotOwnedError:
            log.warning("beat: the lock is not ours any more (Redis failed over?); taking it")
            self.lock_lost = True
            return 0
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as error:
            log.warning("beat: Redis unavailable (%r); again in %s s", error, RETRY_SECONDS)
            return RETRY_SECONDS

    def close(self):
        try:
            super().close()
        except (
            redis_errors.ConnectionError,
            redis_errors.TimeoutError,
            redis_errors.LockError,
        ) as error:
            log.warning("beat: could not release the lock (%r); it expires by itself", error)
