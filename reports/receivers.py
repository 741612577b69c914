"""What reports does when chat sends a hook (connected in ReportsConfig.ready)."""

from reports import presence_log


def presence_changed(*, operator_ids=None, **_kwargs) -> None:
    presence_log.record(operator_ids)
