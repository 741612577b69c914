import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("livechat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def name_the_beat_redis(sender, **_kwargs):
    """celery-redbeat looks for its Redis URL (and options) among the configuration's own
    keys, where the CELERY_REDBEAT_REDIS_URL read from Django's settings is not listed (it
    would fall back to the broker's URL, with a deprecation warning): name it there."""
    url = sender.conf.get("REDBEAT_REDIS_URL")
    if url:
        sender.conf.redbeat_redis_url = url
    # Likewise its options (the sentinels, config/redis_topology.py): unnamed, it would take
    # the broker's transport options instead.
    options = sender.conf.get("REDBEAT_REDIS_OPTIONS")
    if options:
        sender.conf.redbeat_redis_options = options
