"""Console: a site's Invitations page (rules with their figures, add, edit, pause, delete),
for operators who may manage site settings, on their own sites only (404 otherwise). Thin:
forms check, rules_services change, rules_selectors read."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required
from engage import rules_selectors, rules_services
from engage.rules_forms import InvitationRuleForm, StatsPeriodForm


def _page(request, template, **context):
    return render(
        request,
        template,
        {
            "operator": request.operator,
            "tab": "invitations",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
            **context,
        },
    )


def _site_or_404(operator, site_id):
    sites = rules_selectors.manageable_sites(operator)
    for site in sites:
        if site.id == site_id:
            return site, sites
    raise Http404


def _rule_or_404(operator, pk):
    rule = rules_selectors.rule_of(operator, pk)
    if rule is None:
        raise Http404
    return rule


@operator_required
def invitations_home(request):
    """His first site with rules (else his first site); the page switches between them."""
    site = rules_selectors.home_site(request.operator)
    if site is None:
        raise Http404
    return redirect("invitations:list", site_id=site.id)


@operator_required
def rule_list(request, site_id):
    site, sites = _site_or_404(request.operator, site_id)
    period = StatsPeriodForm(request.GET)
    rules = rules_selectors.rules_with_figures(site, *period.bounds())
    return _page(
        request,
        "engage/rules_list.html",
        site=site,
        sites=sites,
        rules=rules,
        totals=rules_selectors.totals(rules),
        period=period,
    )


def _edit(request, site, rule):
    form = InvitationRuleForm(request.POST or None, instance=rule, site=site)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if rule is None:
            saved = rules_services.create_rule(site=site, **fields)
        else:
            saved = rules_services.update_rule(rule=rule, **fields)
        messages.success(request, _("Invitation “%(name)s” saved.") % {"name": saved.name})
        return redirect("invitations:list", site_id=site.id)
    return _page(request, "engage/rules_form.html", form=form, rule=rule, site=site)


@operator_required
def rule_add(request, site_id):
    site, _sites = _site_or_404(request.operator, site_id)
    return _edit(request, site, None)


@operator_required
def rule_edit(request, pk):
    rule = _rule_or_404(request.operator, pk)
    return _edit(request, rule.site, rule)


@require_POST
@operator_required
def rule_pause(request, pk):
    rule = _rule_or_404(request.operator, pk)
    paused = request.POST.get("paused") == "1"
    rules_services.set_paused(rule=rule, paused=paused)
    text = _("Invitation “%(name)s” paused.") if paused else _("Invitation “%(name)s” resumed.")
    messages.success(request, text % {"name": rule.name})
    return redirect("invitations:list", site_id=rule.site_id)


@require_POST
@operator_required
def rule_delete(request, pk):
    rule = _rule_or_404(request.operator, pk)
    rules_services.delete_rule(rule=rule)
    messages.success(request, _("Invitation “%(name)s” deleted.") % {"name": rule.name})
    return redirect("invitations:list", site_id=rule.site_id)
