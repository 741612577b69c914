"""Attachments in an S3 bucket, in a real Chromium: the server is started with
STORAGE_S3_BUCKET and AWS_S3_ENDPOINT_URL pointing at a real S3-compatible server on
127.0.0.1 (moto's); a visitor's picture and an operator's PDF go through the widget and the
console into the bucket, each side opens the other's file through the product's URLs (the
console's session-checked one, the widget's signed one), and the server's MEDIA_ROOT stays
empty. Screenshots."""

import io
import secrets

import pytest
from helpers import DESKTOP, open_console, open_widget, shop_with
from PIL import Image
from playwright.sync_api import expect

from tests.object_storage import Bucket, local_files, s3_endpoint  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (37, 99, 235)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def bucket(s3_endpoint):  # noqa: F811
    return Bucket(s3_endpoint, f"e2e-{secrets.token_hex(6)}")


@pytest.fixture
def media_root(tmp_path):
    return tmp_path / "server-media"


@pytest.fixture
def asgi_server_env(s3_endpoint, bucket, media_root):  # noqa: F811
    return {
        "STORAGE_S3_BUCKET": bucket.name,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "MEDIA_ROOT": str(media_root),
    }


def test_files_go_through_the_bucket_both_ways(
    asgi_server, browser, screenshots, password, log_in, bucket, media_root
):
    site, _staff = shop_with(password, "Bucket shop", "bucket.example", "bucket-shop")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP)
    visitor, widget = open_widget(browser, asgi_server, site, viewport=DESKTOP)
    widget.locator("#lc-input").fill("A photo of the part")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    console.locator("#tab-list .row").first.click()
    console.click("#connect-dialog")

    picture = png()
    widget.locator("#lc-file").set_input_files(
        files=[{"name": "part.png", "mimeType": "image/png", "buffer": picture}]
    )
    figure = console.locator("#transcript .att-image")
    expect(figure).to_have_count(1)
    expect(figure.locator("img")).to_have_js_property("naturalWidth", 60)  # the thumbnail
    assert len(bucket.keys()) == 2  # the file and its thumbnail
    full_size = console.request.get(
        asgi_server + figure.locator("a").get_attribute("href")
    )  # with the operator's session
    assert full_size.ok and full_size.body() == picture

    console.locator("#composer-file").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    link = widget.locator(".lc-msg-operator a.lc-att-file")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    download = visitor.request.get(href if href.startswith("http") else asgi_server + href)
    assert download.ok and download.body() == PDF
    assert len(bucket.keys()) == 3
    # Without the operator's session the console's URL opens nothing.
    anonymous = browser.new_context().request.get(
        asgi_server + figure.locator("a").get_attribute("href"), max_redirects=0
    )
    assert anonymous.status == 302
    assert local_files(media_root) == []
    visitor.screenshot(path=screenshots / "bucket-widget.png")
    console.screenshot(path=screenshots / "bucket-console.png")
    visitor.context.close()
    console.context.close()
