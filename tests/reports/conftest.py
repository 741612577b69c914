"""Fixtures of the reports tests: the hand-built dataset of report_dataset.py."""

from report_dataset import alice, bob, month  # noqa: F401
