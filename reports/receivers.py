"""What reports does when chat sends a hook (connected in ReportsConfig.ready)."""

from reports import facts, presence_log


def presence_changed(*, operator_ids=None, **_kwargs) -> None:
    presence_log.record(operator_ids)


def dialog_ended(*, dialog, **_kwargs) -> None:
    """Its messages are final now: the Reports page reads its facts from here on."""
    facts.refresh([dialog.id])
