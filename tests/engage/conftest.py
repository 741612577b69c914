"""Invitation fixtures: rules of a site, and Alice allowed to manage its settings."""

import pytest

from engage.rule_models import InvitationRule

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture
def alice(make_operator, site):
    return make_operator(
        username="alice", display_name="Alice", sites=[site], can_manage_site_settings=True
    )


@pytest.fixture
def make_rule(db):
    """make_rule(site, **fields): a rule, shown on any page by default."""

    def make(site, **fields):
        fields.setdefault("name", "Hello")
        fields.setdefault("text", "Hello from {site_name}!")
        return InvitationRule.objects.create(site=site, **fields)

    return make
