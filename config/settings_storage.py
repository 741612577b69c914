"""Settings that keep no state on one host (docs/operations.md, "Several hosts"): attachments
on S3-compatible object storage, one beat scheduler across hosts, and retention.
config/settings.py imports them last; every value comes from the environment."""

import environ

from config import secrets
from config.settings import REDIS_TOPOLOGY, SECRETS_DIR

env = environ.Env()

# --- attachments: local disk (MEDIA_ROOT) by default, a bucket when STORAGE_S3_BUCKET is set --
# Downloads still go through the product's signed, permission-checked URLs: the view streams
# the object from the bucket (chat/views/attachments.py); the bucket stays private.
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes a .gz copy beside each file; WhiteNoise sends it to browsers that
    # accept gzip (names unchanged: the embed snippet's URL stays the same).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if STORAGE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            # MinIO, Ceph, SeaweedFS, a cloud's S3 API; empty: AWS itself.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": secrets.read("AWS_ACCESS_KEY_ID", secrets_dir=SECRETS_DIR) or None,
            "secret_key": secrets.read("AWS_SECRET_ACCESS_KEY", secrets_dir=SECRETS_DIR) or None,
            # Objects under this prefix, so one bucket can hold several installations.
            "location": env.str("STORAGE_S3_PREFIX", default=""),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": None,  # private: the bucket's own policy
            "file_overwrite": False,
        },
    }

# --- one beat across hosts (celery-redbeat) ---------------------------------------------------
# Every host may run `celery beat`: the schedule lives in Redis and one beat holds a lock
# that it renews on every tick (at most every CELERY_BEAT_MAX_LOOP_INTERVAL seconds); the
# others wait for it. If the holder dies, the lock expires after BEAT_LOCK_TIMEOUT_SECONDS
# and a waiting beat takes it at its next try.
if REDIS_TOPOLOGY:
    # redbeat's scheduler, surviving a Redis failover or restart (config/beat_scheduler.py).
    CELERY_BEAT_SCHEDULER = "config.beat_scheduler.FailoverSafeRedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_TOPOLOGY.redbeat_url()
    # With Redis Sentinel: the sentinels and the master's name (config/redis_topology.py).
    CELERY_REDBEAT_REDIS_OPTIONS = REDIS_TOPOLOGY.redbeat_options()
    CELERY_REDBEAT_KEY_PREFIX = env.str("CHANNEL_PREFIX", default="livechat") + ":beat:"
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("BEAT_LOCK_TIMEOUT_SECONDS", default=30)
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("BEAT_MAX_LOOP_INTERVAL_SECONDS", default=5)

# --- retention (retention/, docs/operations.md "Retention") -----------------------------------
# Beat applies every account's policy each RETENTION_CHECK_SECONDS (config/settings.py);
# one transaction erases at most this many rows, so no lock is held for long.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
