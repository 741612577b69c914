"""The teamwork cast: a site, Alice (answering), Bob (a colleague, no flags), and an
operator of another account."""

import pytest
from teamwork_cast import start_dialog


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Boris", sites=[site])


@pytest.fixture
def stranger(make_operator, make_site):
    """An operator of another account, with every flag."""
    other = make_site(name="other.example")
    return make_operator(
        username="mallory", sites=[other], can_see_others=True, can_join_others=True
    )


@pytest.fixture
def dialog_of_alice(site, alice):
    dialog_id, _session = start_dialog(site, alice)
    return dialog_id
