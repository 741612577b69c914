"""The <id:pk> path converter of /api/: a database id fits in 63 bits, so at most 18
digits; a longer number is an unknown URL (404), never a database overflow."""

from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    regex = "[0-9]{1,18}"
