import pytest


@pytest.fixture
def vera(make_operator, make_site):
    """An operator (password: tests/conftest.py's PASSWORD) with one site."""
    site = make_site()
    return make_operator(username="vera", sites=[site])
