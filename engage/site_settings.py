"""The Site settings shell's registry: every app registers its own parts in its
AppConfig.ready(), so engage (which owns the shell) imports none of them.

    site_settings.register_section(Section(key="routing", title=_("Routing"), order=20,
                                           route="routing/", view=views.site_routing))
    site_settings.register_entry(MenuEntry(key="channels", title=_("Channels"), order=20,
                                           url_name="messengers_console:list",
                                           element_id="messengers-link"))

A Section is a tab of one site's settings page: its page is mounted by the shell at
/console/sites/<site_id>/<route> as `site_settings:<key>` (engage/hours_urls.py), behind
operator_required and the section's permission (an Operator flag), and called
view(request, site_id). A MenuEntry is a link in the operator menu to a settings page an
app mounts itself. Both are listed in `order`, each only to operators who hold its
permission (render_tabs, menu_entries).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required

DEFAULT_PERMISSION = "can_manage_site_settings"


@dataclass(frozen=True)
class Section:
    key: str  # the URL name in the site_settings namespace, and the page's settings_section
    title: object  # gettext_lazy: rendered in the reader's language
    order: int
    route: str  # under /console/sites/<site_id>/, e.g. "routing/"
    view: Callable  # view(request, site_id); the shell checks login and permission first
    permission: str = DEFAULT_PERMISSION  # an Operator flag

    def allows(self, operator) -> bool:
        return bool(getattr(operator, self.permission, False))


@dataclass(frozen=True)
class MenuEntry:
    key: str
    title: object
    order: int
    url_name: str
    element_id: str
    permission: str = DEFAULT_PERMISSION

    def allows(self, operator) -> bool:
        return bool(getattr(operator, self.permission, False))


_sections: dict[str, Section] = {}
_entries: dict[str, MenuEntry] = {}


def _register(registry: dict, item) -> None:
    known = registry.get(item.key)
    if known is not None and known != item:
        raise ValueError(f"The site settings part {item.key!r} is already registered.")
    registry[item.key] = item


def register_section(section: Section) -> None:
    """A key registered twice with a different section is a programming error."""
    _register(_sections, section)


def unregister_section(key: str) -> None:
    _sections.pop(key, None)


def register_entry(entry: MenuEntry) -> None:
    _register(_entries, entry)


def unregister_entry(key: str) -> None:
    _entries.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))


def sections_for(operator) -> list[Section]:
    """The sections the operator may open, in order."""
    return [section for section in sections() if section.allows(operator)]


def menu_entries(operator) -> list[MenuEntry]:
    return sorted(
        (entry for entry in _entries.values() if entry.allows(operator)),
        key=lambda e: (e.order, e.key),
    )


def _guarded(section: Section):
    @operator_required
    def view(request, site_id):
        if not section.allows(request.operator):
            raise PermissionDenied("This operator may not manage site settings.")
        return section.view(request, site_id)

    view.__name__ = f"site_settings_{section.key}"
    return view


def urlpatterns() -> list:
    """The registered sections' pages, for engage/hours_urls.py (read once, when Django
    first loads the URLconf: after every AppConfig.ready())."""
    return [
        path(f"<int:site_id>/{section.route}", _guarded(section), name=section.key)
        for section in sections()
    ]


def tabs(operator, site, current: str) -> list[dict]:
    """The site page's sub-navigation: the sections this operator may open."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "url": reverse(f"site_settings:{section.key}", kwargs={"site_id": site.id}),
            "current": section.key == current,
        }
        for section in sections_for(operator)
    ]


def render_page(request, template: str, **context):
    """A Site settings page inside the console's shell (its tab bar and counters)."""
    return render(
        request,
        template,
        {
            "operator": request.operator,
            "tab": "settings",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
            **context,
        },
    )


def render_section(request, template: str, *, site, section: str, **context):
    """A section's page inside the shell (the console's tab bar, the site's sub-navigation)."""
    return render_page(request, template, site=site, settings_section=section, **context)
