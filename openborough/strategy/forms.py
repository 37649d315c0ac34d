"""Forms for the toolkit's editing pages."""

from __future__ import annotations

from django import forms

from .models import (
    INITIATIVE_CONFIDENTIAL_CHOICES,
    SAVINGS_CONFIDENTIAL_CHOICES,
    Aspiration,
    BudgetAllocation,
    Criterion,
    DigitalKind,
    Foundation,
    Initiative,
    InitiativeYear,
    Outcome,
    SavingsProposal,
    SavingsYear,
    ScaleDescriptor,
    Service,
    ToolkitRoleKind,
)


def govuk_widgets(form: forms.BaseForm) -> None:
    """GOV.UK Frontend classes on each widget (the templates render labels and errors)."""
    for name, field in form.fields.items():
        w = field.widget
        kind = getattr(w, "input_type", None)
        if isinstance(w, forms.Textarea):
            cls = "govuk-textarea"
        elif isinstance(w, forms.Select) and kind not in ("radio", "checkbox"):
            cls = "govuk-select"
        elif kind == "file":
            cls = "govuk-file-upload"
        elif kind in ("radio", "checkbox"):
            cls = "govuk-radios__input" if kind == "radio" else "govuk-checkboxes__input"
        elif kind in ("number", "date"):
            cls = "govuk-input govuk-input--width-10"
        else:
            cls = "govuk-input"
        w.attrs["class"] = cls
        if field.help_text:
            w.attrs["aria-describedby"] = f"{form.auto_id % form.add_prefix(name)}-hint"


class GovukForm:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        govuk_widgets(self)


class InitiativeForm(GovukForm, forms.ModelForm):
    confidential_fields = forms.MultipleChoiceField(
        choices=[(c, c.replace("_", " ").capitalize()) for c in INITIATIVE_CONFIDENTIAL_CHOICES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Withheld from the open dataset (say why in the internal notes)",
    )

    class Meta:
        model = Initiative
        fields = [
            "ref",
            "name",
            "description",
            "owning_service",
            "sponsor",
            "phase",
            "status",
            "foundations",
            "aspirations",
            "outcomes",
            "services_changed",
            "benefits_to_residents",
            "dependencies",
            "risks",
            "confidential_fields",
            "internal_notes",
        ]
        widgets = {
            "foundations": forms.CheckboxSelectMultiple,
            "aspirations": forms.CheckboxSelectMultiple,
            "outcomes": forms.CheckboxSelectMultiple,
            "services_changed": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, own_service: Service | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if own_service is not None:  # an officer files initiatives under their own service only
            self.fields["owning_service"].queryset = Service.objects.filter(pk=own_service.pk)
            self.fields["owning_service"].initial = own_service.pk


class YearForm(GovukForm, forms.ModelForm):
    class Meta:
        model = InitiativeYear
        fields = ["year", "one_off_cost", "running_cost", "cashable_savings", "non_cashable_savings"]


YearFormSet = forms.inlineformset_factory(
    Initiative,
    InitiativeYear,
    form=YearForm,
    fields=["year", "one_off_cost", "running_cost", "cashable_savings", "non_cashable_savings"],
    extra=3,
    can_delete=True,
)


class ScoreForm(forms.Form):
    """One score and reason per criterion, on each criterion's current scale."""

    def __init__(self, *args, criteria: list[Criterion], initial_scores: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        initial_scores = initial_scores or {}
        for c in criteria:
            descriptors = {d.value: d.descriptor for d in c.descriptors.all()}
            choices = [("", "Not scored")] + [
                (str(v), f"{v}" + (f" – {descriptors[v]}" if v in descriptors else ""))
                for v in range(c.scale_min, c.scale_max + 1)
            ]
            prev = initial_scores.get(c.pk)
            self.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
                label=c.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=c.description,
                initial=str(prev.value) if prev and c.scale_min <= prev.value <= c.scale_max else "",
            )
            self.fields[f"why_{c.pk}"] = forms.CharField(
                label=f"Why this score for {c.name.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=prev.rationale if prev else "",
            )
        govuk_widgets(self)

    def clean(self):
        data = super().clean()
        for c in self.criteria:
            if data.get(f"score_{c.pk}") is not None and not (data.get(f"why_{c.pk}") or "").strip():
                self.add_error(f"why_{c.pk}", f"Say why you gave this score for {c.name.lower()}")
        return data


class WeightsForm(GovukForm, forms.Form):
    """What-if weights (GET): one number per criterion, prefilled with the current weight."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"w_{c.pk}"] = forms.DecimalField(
                label=c.name, min_value=0, max_value=1000, decimal_places=3, required=False, initial=c.weight
            )

    def weights(self) -> dict[int, float]:
        return {
            c.pk: float(self.cleaned_data[f"w_{c.pk}"])
            for c in self.criteria
            if self.cleaned_data.get(f"w_{c.pk}") is not None
        }


class ImportForm(GovukForm, forms.Form):
    KINDS = [("savings", "Savings proposals"), ("budget", "Budget allocations by outcome")]
    kind = forms.ChoiceField(choices=KINDS, widget=forms.RadioSelect, label="What the file holds")
    file = forms.FileField(label="CSV or Excel (.xlsx) file")


class CriterionForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "scale_min", "scale_max", "position"]


class DescriptorForm(GovukForm, forms.ModelForm):
    class Meta:
        model = ScaleDescriptor
        fields = ["value", "descriptor"]


class BaseDescriptorFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        lo, hi = self.instance.scale_min, self.instance.scale_max
        for f in self.forms:
            value = getattr(f, "cleaned_data", {}).get("value")
            if value is not None and not f.cleaned_data.get("DELETE") and lo is not None and hi is not None:
                if not lo <= value <= hi:
                    f.add_error("value", f"outside the scale {lo} to {hi}")


DescriptorFormSet = forms.inlineformset_factory(
    Criterion, ScaleDescriptor, form=DescriptorForm, formset=BaseDescriptorFormSet, extra=3, can_delete=True
)


def _m2m_checkboxes(*names):
    return {n: forms.CheckboxSelectMultiple for n in names}


class OutcomeForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["name", "source", "description", "delivery_lead"]


class FoundationForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Foundation
        fields = [
            "name",
            "description",
            "owning_service",
            "kind",
            "current_state",
            "target_state",
            "status",
            "evidence",
        ]


class AspirationForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Aspiration
        fields = ["name", "council_priority", "principle", "outcomes"]
        widgets = _m2m_checkboxes("outcomes")


class ServiceForm(GovukForm, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "service_area", "owner", "phase", "channels", "users_per_year", "reassess_every_months"]


class SavingsForm(GovukForm, forms.ModelForm):
    digital_kinds = forms.MultipleChoiceField(
        choices=DigitalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Digital enablement it needs",
    )
    confidential_fields = forms.MultipleChoiceField(
        choices=[(c, c.replace("_", " ").capitalize()) for c in SAVINGS_CONFIDENTIAL_CHOICES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Withheld from the open dataset",
    )

    class Meta:
        model = SavingsProposal
        fields = [
            "ref",
            "title",
            "description",
            "saving_type",
            "owning_service",
            "outcomes",
            "rag",
            "achieved_to_date",
            "digital_kinds",
            "digital_share_pct",
            "digital_dependency",
            "initiatives",
            "confidential_fields",
        ]
        widgets = _m2m_checkboxes("outcomes", "initiatives")


class SavingsYearForm(GovukForm, forms.ModelForm):
    class Meta:
        model = SavingsYear
        fields = ["year", "amount"]


SavingsYearFormSet = forms.inlineformset_factory(
    SavingsProposal, SavingsYear, form=SavingsYearForm, extra=3, can_delete=True
)


class ToolkitRoleForm(GovukForm, forms.Form):
    username = forms.CharField(max_length=150, label="Username of a person with a portal account")
    role = forms.ChoiceField(choices=[("", "No toolkit role")] + list(ToolkitRoleKind.choices), required=False)
    service = forms.ModelChoiceField(Service.objects.all(), required=False, help_text="Officers only")

    def clean(self):
        from django.contrib.auth import get_user_model

        d = super().clean()
        name = (d.get("username") or "").strip()
        user = get_user_model().objects.filter(username=name).first() if name else None
        if name and user is None:
            self.add_error("username", f"There is no account named {name}: create it in the staff area first")
        d["user"] = user
        if d.get("role") == ToolkitRoleKind.OFFICER and not d.get("service"):
            self.add_error("service", "An officer edits their own service's records: choose the service")
        return d


class AllocationForm(GovukForm, forms.ModelForm):
    class Meta:
        model = BudgetAllocation
        fields = ["outcome", "year", "amount"]
        help_texts = {"year": "The year the financial year starts: 2025 is 2025/26"}
