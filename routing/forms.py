"""The Routing section of a site's settings (console) : the mode and limits, and each
operator's own limit."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from routing.models import MAX_CAPACITY, RoutingSettings


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["mode", "default_capacity", "answer_timeout_seconds"]
        widgets = {"mode": forms.RadioSelect}


class CapacitiesForm(forms.Form):
    """One optional limit per operator of the site (blank: the site's default)."""

    def __init__(self, *args, operators, capacities, **kwargs):
        super().__init__(*args, **kwargs)
        self.operators = list(operators)
        for operator in self.operators:
            self.fields[self.key(operator.id)] = forms.IntegerField(
                label=operator.name,
                required=False,
                initial=capacities.get(operator.id),
                validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": MAX_CAPACITY, "placeholder": _("default")}
                ),
            )

    @staticmethod
    def key(operator_id: int) -> str:
        return f"capacity_{operator_id}"

    def rows(self):
        """(operator, bound field) pairs for the template."""
        return [(op, self[self.key(op.id)]) for op in self.operators]

    def capacities(self) -> dict[int, int | None]:
        return {op.id: self.cleaned_data.get(self.key(op.id)) for op in self.operators}
