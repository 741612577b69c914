"""The widget frame and the demo host page (visitors)."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.gzip import gzip_page

from chat.csp import replace_directives
from chat.models import Site
from chat.views.language import answering_in, says_language
from chat.visitors import blocking, origins
from chat.visitors.client_ip import ip_from_request


# Gzipped: the frame is part of what a shop's page loads (docs/performance.md, "Widget cost
# to the host page"). Safe from BREACH: the page holds no secret (no CSRF token, no visitor
# data; the visitor token comes later, over postMessage) and echoes no request input.
@gzip_page
@xframe_options_exempt
def widget_frame(request, widget_key):
    site = get_object_or_404(Site, widget_key=widget_key)
    # The site's language, or (blank) the visitor's browser through LocaleMiddleware.
    with answering_in(request, site.language):
        if blocking.is_blocked(site.account_id, ip_from_request(request)):
            # No widget.js here: the embed loader never gets "ready", so no launcher shows.
            response = render(request, "chat/widget_blocked.html", {"site": site}, status=403)
        else:
            response = render(
                request,
                "chat/widget.html",
                {"site": site, "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH},
            )
    says_language(response, site.language)
    # One policy: the console's, with frame-ancestors opened to the site's own pages.
    directive, *sources = origins.frame_ancestors(site).split()
    return replace_directives(response, {directive: sources})


def demo(request):
    sites = list(Site.objects.order_by("id"))
    site = next((s for s in sites if s.widget_key == request.GET.get("site")), None)
    site = site or (sites[0] if sites else None)
    return render(request, "chat/demo.html", {"site": site, "sites": sites})
