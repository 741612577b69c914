"""Transfer (teamwork) asks routing's capacity check: on a site that auto-assigns, a
colleague at his limit of open dialogs is refused with the figures; everyone may take a
dialog on a site where everyone sees every new dialog."""

import pytest
from django.utils import translation

from chat.console import selectors
from chat.errors import ChatError
from routing import capacity
from teamwork.transfers import transfer_dialog
from tests.routing.routing_factory import auto_assign, online, visitor_writes

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Boris", sites=[site])


def test_a_colleague_at_his_limit_is_refused(alice, bob, site, django_assert_num_queries):
    auto_assign(site, capacity=1)
    online(alice, bob)
    first, _ = visitor_writes(site)
    second, _ = visitor_writes(site)
    (holder,) = selectors.active_operators(first)
    (other,) = selectors.active_operators(second)
    assert holder.id != other.id
    with django_assert_num_queries(2):  # the mode is cached by now: the settings, the loads
        assert capacity.refusals(operators=[other], dialog=first) == {
            other.id: "1 open dialog of 1"
        }
    with translation.override("en"), pytest.raises(ChatError) as refused:
        transfer_dialog(operator=holder, dialog_id=first.id, receiver_id=other.id)
    assert refused.value.code == "at_capacity"
    assert "(1 open dialog of 1)" in refused.value.detail
    assert [op.id for op in selectors.active_operators(first)] == [holder.id]


def test_no_limit_where_everyone_sees_every_dialog(alice, bob, site):
    online(alice, bob)
    dialog, _ = visitor_writes(site)
    assert capacity.refusals(operators=[alice, bob], dialog=dialog) == {}
