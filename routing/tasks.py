"""routing's beat task (config/settings_beat.py): thin and idempotent."""

from celery import shared_task

from routing import queue, services
from routing.models import RoutingSettings


@shared_task(ignore_result=True)
def route_dialogs() -> dict:
    """Pass on dialogs not answered in time, take back those of operators gone offline,
    fill free slots from the queues, and tell queued visitors their new places."""
    result = services.route_pass()
    auto = RoutingSettings.objects.filter(mode=RoutingSettings.Mode.AUTO_ASSIGN)
    site_ids = auto.values_list("site_id", flat=True)
    result["told"] = sum(queue.announce_positions(site_id) for site_id in site_ids)
    return result
