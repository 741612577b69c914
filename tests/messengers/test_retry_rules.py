"""When an attempt is made again: never sooner than the messenger asked, backoff capped."""

import pytest

from messengers.clients import vk
from messengers.outbound import retry_delay


def test_the_wait_honours_retry_after_and_grows_within_the_cap(settings):
    settings.MESSENGERS_RETRY_BASE_SECONDS = 5
    settings.MESSENGERS_RETRY_CAP_SECONDS = 60
    assert retry_delay(1, 30) >= 30
    assert 2.5 <= retry_delay(1, None) <= 5
    assert 10 <= retry_delay(3, None) <= 20
    assert retry_delay(20, None) <= 60


@pytest.mark.parametrize(
    "code,temporary,wait", [(6, True, 1.0), (9, True, 60.0), (10, True, None), (7, False, None)]
)
def test_vk_errors_that_are_worth_another_attempt(code, temporary, wait):
    assert (code in vk.TEMPORARY_CODES) is temporary
    assert vk.FLOOD_WAIT_SECONDS.get(code) == wait
