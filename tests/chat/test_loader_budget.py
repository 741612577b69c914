"""The loader a shop embeds (static/chat/embed.js) costs its page at most 10 KB on the
wire (issue 20): in production (collectstatic, WhiteNoise without its finders) it is sent
gzip-compressed to browsers that accept it, under that budget, at the URL of the snippet."""

import gzip

import pytest
from django.core.management import call_command
from django.test import Client

BUDGET = 10 * 1024


@pytest.fixture
def collected(tmp_path, settings):
    """Static files collected as production does, served by a fresh middleware stack."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", "--ignore", "admin", verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_the_loader_arrives_gzipped_within_its_budget(collected):
    response = Client().get("/static/chat/embed.js", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content)
    assert len(body) <= BUDGET, f"embed.js is {len(body)} bytes gzipped, over {BUDGET}"
    # The very script, not an empty or foreign file.
    source = (collected / "chat" / "embed.js").read_bytes()
    assert gzip.decompress(body) == source
    assert b"window.LiveChat" in source


@pytest.mark.django_db
def test_a_browser_without_gzip_still_gets_the_plain_loader(collected):
    response = Client().get("/static/chat/embed.js")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == (collected / "chat/embed.js").read_bytes()


@pytest.mark.django_db
def test_the_chat_frame_page_arrives_gzipped_and_holds_no_secret(client, site):
    """The frame loads on every page of the shop (when idle): its page is compressed; and
    compressing is safe because nothing in it is secret (no CSRF token, no visitor data)."""
    url = f"/widget/{site.widget_key}/"
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content)
    assert len(response.content) < len(page) / 2
    assert b'type="module"' in page  # the frame itself, not an error page
    assert (
        b"csrfmiddlewaretoken" not in page
        and b"csrftoken" not in response.cookies.output().encode()
    )
    assert "Content-Encoding" not in client.get(url)  # a client without gzip: plain
