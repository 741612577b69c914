"""Console: Messengers, the channels of the sites an operator with
can_manage_site_settings manages: link a Telegram bot or a VK community, unlink one.
Thin: linking.py checks with the messenger and saves."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from chat.models import Site
from chat.views.decorators import operator_required
from messengers import linking
from messengers.forms import TelegramForm, VkForm
from messengers.models import Bot


def managed_sites(operator):
    if not operator.can_manage_site_settings:
        raise PermissionDenied("This operator may not manage site settings.")
    return Site.objects.filter(account_id=operator.account_id, operators=operator).order_by("name")


def _page(request, telegram=None, vk=None):
    sites = managed_sites(request.operator)
    bots = Bot.objects.filter(site__in=sites).select_related("site").order_by("site__name", "pk")
    base = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "messengers/channels.html",
        {
            "operator": request.operator,
            "tab": "settings",
            "members": chat_selectors.tab_members(request.operator),
            "bots": [(bot, base + linking.webhook_path(bot)) for bot in bots],
            "telegram_form": telegram or TelegramForm(sites=sites),
            "vk_form": vk or VkForm(sites=sites),
        },
    )


@operator_required
def channel_list(request):
    return _page(request)


def _linked(request, form, link):
    if form.is_valid():
        try:
            bot = link(form.cleaned_data)
        except linking.LinkRefused as refused:
            form.add_error(None, refused.detail)
        else:
            messages.success(request, _("%(channel)s linked.") % {"channel": bot})
            return redirect("messengers_console:list")
    return None


@require_POST
@operator_required
def link_telegram(request):
    form = TelegramForm(request.POST, sites=managed_sites(request.operator))
    base = request.build_absolute_uri("/")
    done = _linked(
        request, form, lambda d: linking.link_telegram(d["site"], d["token"], public_base=base)
    )
    return done or _page(request, telegram=form)


@require_POST
@operator_required
def link_vk(request):
    form = VkForm(request.POST, sites=managed_sites(request.operator))
    done = _linked(
        request,
        form,
        lambda d: linking.link_vk(
            d["site"],
            group_id=d["group_id"],
            token=d["token"],
            confirmation=d["confirmation"],
            secret=d["secret"],
        ),  # fmt: skip
    )
    return done or _page(request, vk=form)


@require_POST
@operator_required
def unlink(request, pk):
    bot = Bot.objects.filter(pk=pk, site__in=managed_sites(request.operator)).first()
    if bot is None:
        raise Http404
    linking.unlink(bot)
    messages.success(request, _("%(channel)s unlinked.") % {"channel": bot})
    return redirect("messengers_console:list")
