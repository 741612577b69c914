"""Every URL of the project's URLConf, enumerated, so that security walks cover a view the
day it is added."""

import itertools
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# A named group of a re_path: (?P<tab>mine|others|missed)
REGEX_PARAMETER = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")
WORDS = re.compile(r"^[\w-]+(?:\|[\w-]+)*$")


@dataclass(frozen=True)
class Route:
    route: str  # "console/dialogs/<int:pk>/" (or a regex for re_path)
    name: str | None  # "console:dialog"
    callback: object
    regex: bool = False

    @property
    def _parameter(self):
        return REGEX_PARAMETER if self.regex else ROUTE_PARAMETER

    @property
    def parameters(self) -> list[str]:
        return [match["name"] for match in self._parameter.finditer(self.route)]

    def choices(self, name: str) -> list[str] | None:
        """The words a re_path group accepts (mine|others|missed), if it lists them."""
        for match in REGEX_PARAMETER.finditer(self.route) if self.regex else ():
            if match["name"] == name and WORDS.match(match["body"]):
                return match["body"].split("|")
        return None

    def url(self, **values) -> str:
        """The path with each parameter replaced by values[name]."""
        path = self._parameter.sub(lambda m: str(values[m["name"]]), self.route)
        if self.regex:
            path = path.replace("^", "").replace("$", "")
        return "/" + path

    def urls(self, **values) -> list[str]:
        """url() for every combination of the listed choices of parameters not given."""
        options = [
            [values[name]] if name in values else (self.choices(name) or ["x"])
            for name in self.parameters
        ]
        return [
            self.url(**dict(zip(self.parameters, combo, strict=True)))
            for combo in itertools.product(*options)
        ]

    @property
    def csrf_exempt(self) -> bool:
        return getattr(self.callback, "csrf_exempt", False)


def routes(patterns=None, prefix: str = "", namespace: str | None = None) -> list[Route]:
    """Every view route, the admin's included."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            regex = isinstance(pattern.pattern, RegexPattern)
            found.append(Route(prefix + str(pattern.pattern), name, pattern.callback, regex))
    return found
