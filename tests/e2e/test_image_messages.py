"""Image messages in a real browser: the console names the file and its size in the
operator's language, and the widget's frame around a small picture fits the picture."""

import io
import random

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from PIL import Image
from playwright.sync_api import expect

from chat.models import Attachment

pytestmark = pytest.mark.browser


def png(width: int, height: int, *, noisy: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (37, 99, 235))
    if noisy:  # incompressible: a file of some kilobytes
        rng = random.Random(7)
        image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(width * height)])
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("viewport", "language", "unit"), [(DESKTOP, "en", "KB"), (PHONE, "ru", "КБ")]
)
def test_image_messages_show_their_name_and_size_and_a_small_one_its_own_size(
    asgi_server, browser, screenshots, password, log_in, viewport, language, unit
):
    site, (vera,) = shop_with(
        password, "Photo shop", "photo.example", f"photo-{language}", language=language
    )
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport)
    visitor, widget = open_widget(browser, asgi_server, site, viewport=viewport)
    widget.locator("#lc-input").fill("Here is the broken part")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    console.locator("#tab-list .row").first.click()
    console.click("#connect-dialog")

    big = png(90, 90, noisy=True)
    widget.locator("#lc-file").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": big}]
    )
    expect(console.locator("#transcript .att-image")).to_have_count(1)
    widget.locator("#lc-file").set_input_files(
        files=[{"name": "tiny.png", "mimeType": "image/png", "buffer": png(40, 30)}]
    )
    figures = console.locator("#transcript .att-image")
    expect(figures).to_have_count(2)
    kilobytes = round(Attachment.objects.get(name="photo.png").size / 1024)
    assert kilobytes >= 20
    expect(figures.first.locator(".att-name")).to_have_text("photo.png")
    expect(figures.first.locator(".att-size")).to_have_text(f"· {kilobytes} {unit}")
    tiny_size = Attachment.objects.get(name="tiny.png").size
    assert tiny_size < 1024
    expect(figures.last.locator(".att-size")).to_have_text(
        f"· {tiny_size} {'B' if language == 'en' else 'Б'}"
    )
    # A reloaded page shows the same as the live fragments.
    console.reload()
    expect(console.locator("#transcript .att-image").first.locator(".att-caption")).to_have_text(
        f"photo.png· {kilobytes} {unit}"
    )

    # The widget: the frame around the 40x30 picture is the picture's size.
    tiny = widget.locator(".lc-att-image").last
    expect(tiny.locator("img")).to_have_js_property("complete", True)
    expect(tiny.locator("img")).to_have_js_property("naturalWidth", 40)
    frame, image = box(tiny), box(tiny.locator("img"))
    assert abs(image["width"] - 40) <= 1 and abs(image["height"] - 30) <= 1, image
    assert frame["width"] <= image["width"] + 2, (frame, image)
    assert frame["height"] <= image["height"] + 2, (frame, image)
    # An operator's small picture, and one with a caption wider than itself.
    console.locator("#composer-file").set_input_files(
        files=[{"name": "dot.png", "mimeType": "image/png", "buffer": png(40, 30)}]
    )
    console.fill("#composer-text", "This is the part you need to order again")
    console.locator("#composer-file").set_input_files(
        files=[{"name": "part.png", "mimeType": "image/png", "buffer": png(40, 30)}]
    )
    pictures = widget.locator(".lc-msg-operator .lc-att-image")
    expect(pictures).to_have_count(2)
    for picture in (pictures.first, pictures.last):
        expect(picture.locator("img")).to_have_js_property("complete", True)
        frame, image = box(picture), box(picture.locator("img"))
        assert frame["width"] <= image["width"] + 2, (frame, image)
        assert frame["height"] <= image["height"] + 2, (frame, image)
    visitor.screenshot(path=screenshots / f"image-widget-{language}.png")
    console.screenshot(path=screenshots / f"image-console-{language}.png")
    visitor.context.close()
    console.context.close()
