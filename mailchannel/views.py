"""Console: Site settings > E-mail, and the transcript's Retry of an e-mail. Thin: the
rules are in outbound.py; the site's access rule is the site settings' own."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.views.decorators import operator_required
from engage import hours_services, site_settings
from mailchannel import outbound
from mailchannel.forms import SiteMailForm
from mailchannel.models import SiteMail


def site_email(request, site_id):
    """A Site settings section (registered in MailchannelConfig.ready():
    engage/site_settings.py checks login and permission before it)."""
    site = hours_services.settings_site_or_404(request.operator, site_id)
    instance = SiteMail.objects.filter(site=site).first() or SiteMail(site=site)
    form = SiteMailForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("E-mail settings saved."))
        return redirect("site_settings:email", site_id=site.id)
    return site_settings.render_section(
        request,
        "mailchannel/site_email.html",
        site=site,
        section="email",
        form=form,
        demo_outbox=settings.MAILCHANNEL_DEMO_OUTBOX,
        replies_on=bool(settings.MAILCHANNEL_REPLY_ADDRESS),
    )


@require_POST
@operator_required
def retry(request, pk):
    delivery = outbound.retry(operator=request.operator, delivery_id=pk)
    return JsonResponse({"delivery": delivery.pk, "status": delivery.status})
