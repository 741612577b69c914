"""The authenticator app's set-up link as an SVG QR code, drawn on the server (no script)."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe


def svg(text: str) -> str:
    """Inline <svg> markup (paths only: no style attribute, so the CSP's style-src holds)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    markup = image.to_string(encoding="unicode")
    return mark_safe(markup)  # built by qrcode from the URL's bits, no text of the user's
