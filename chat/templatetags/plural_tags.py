"""{% plural_forms context singular plural %}: a counted word's translations by CLDR plural
category, as JSON, for a count a script changes live (Intl.PluralRules picks the category,
e.g. static/leads/leads.js). Each category is asked of gettext with a number of its own,
which is true of every language the console speaks (English, Russian)."""

import json

from django import template
from django.utils.translation import npgettext

register = template.Library()

# A number of each category: 1 one (1 lead, 1 заявка), 3 few (3 заявки), 5 many (5 заявок),
# 0 other (0 leads, 0 заявок).
SAMPLES = {"one": 1, "few": 3, "many": 5, "other": 0}


@register.simple_tag
def plural_forms(context: str, singular: str, plural: str) -> str:
    return json.dumps(
        {category: npgettext(context, singular, plural, n) for category, n in SAMPLES.items()},
        ensure_ascii=False,
    )
