"""Staff forms (Django forms, rendered with GOV.UK markup by the templates)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from ..accounts.models import Role, User
from ..catalog.models import Exemption, Frequency, Licence, Visibility
from ..soql.types import FIELD_NAME_RE, SoQLType

#: what each column type holds, in words (the API's type name follows, for people who use the API)
TYPE_WORDS = {
    "text": "Text",
    "number": "Number",
    "double": "Number (floating point)",
    "money": "Amount of money",
    "checkbox": "Yes or no",
    "floating_timestamp": "Date and time",
    "fixed_timestamp": "Date and time with time zone",
    "point": "Point on a map",
    "multipoint": "Points on a map",
    "line": "Line on a map",
    "multiline": "Lines on a map",
    "polygon": "Area on a map",
    "multipolygon": "Areas on a map",
    "location": "Location",
    "url": "Web address",
}
TYPE_CHOICES = [(t.value, f"{TYPE_WORDS.get(t.value, t.value)} ({t.value})") for t in SoQLType if t != SoQLType.BLOB]


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account cannot sign in; ask an administrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Data file",
        help_text="CSV, TSV, Excel (.xlsx), JSON, GeoJSON or a Socrata rows.json export",
        error_messages={"required": "Choose a file to upload", "empty": "The file you chose is empty"},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.OPENBOROUGH_MAX_UPLOAD_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                f"The file is {f.size / 1e6:,.1f} MB; files must be smaller than {limit / 1e6:,.0f} MB"
            )
        return f


class MetadataForm(forms.Form):
    name = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter a title"})
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea, help_text="You can use Markdown"
    )
    category = forms.CharField(label="Category", max_length=100, required=False, help_text="For example, Parking")
    tags = forms.CharField(label="Tags", required=False, help_text="Separate tags with commas")
    organisation = forms.CharField(label="Publishing organisation", max_length=200, required=False)
    licence = forms.ChoiceField(label="Licence", choices=Licence.choices, initial=Licence.OGL3)
    attribution = forms.CharField(label="Attribution statement", max_length=300, required=False)
    update_frequency = forms.ChoiceField(
        label="How often is it updated?", choices=[("", "Not stated")] + list(Frequency.choices), required=False
    )
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="Contact email",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.gov.uk"},
    )
    temporal_coverage = forms.CharField(
        label="Time period covered", max_length=100, required=False, help_text="For example, 2017-04/2020-08"
    )
    spatial_coverage = forms.CharField(label="Area covered", max_length=200, required=False)

    def meta(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.fields}


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label="Who can see this dataset?",
        choices=[(Visibility.PUBLIC, "Everyone (open data)"), (Visibility.PRIVATE, "Staff only – it is exempt")],
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    exemption = forms.ChoiceField(
        label="Freedom of Information Act exemption",
        choices=[("", "Choose an exemption")] + list(Exemption.choices),
        required=False,
    )
    reason = forms.CharField(label="Why is the dataset exempt?", widget=forms.Textarea, required=False)
    review_date = forms.DateField(
        label="Review the exemption by",
        required=False,
        help_text="For example, 2027-03-31",
        error_messages={"invalid": "Enter the review date as year-month-day, like 2027-03-31"},
    )

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Visibility.PRIVATE:
            if not data.get("exemption"):
                self.add_error("exemption", "Open by default: choose the exemption that applies")
            if not (data.get("reason") or "").strip():
                self.add_error("reason", "Open by default: explain why the dataset is exempt")
            if not data.get("review_date"):
                self.add_error("review_date", "Enter a date to review the exemption")
            elif data["review_date"] <= timezone.localdate():
                self.add_error("review_date", "The review date must be in the future")
        return data

    def as_kwargs(self) -> dict:
        d = self.cleaned_data
        if d["visibility"] == Visibility.PRIVATE:
            return {
                "visibility": Visibility.PRIVATE,
                "exemption": d["exemption"],
                "reason": d["reason"],
                "review_date": d["review_date"],
            }
        return {"visibility": Visibility.PUBLIC}


def column_form(columns) -> type[forms.Form]:
    """A form with name, field name, type and description for each column."""
    fields = {}
    for i, c in enumerate(columns):
        fields[f"name_{i}"] = forms.CharField(label="Column name", max_length=300, initial=c.name or c.field_name)
        fields[f"field_{i}"] = forms.CharField(label="API field name", max_length=100, initial=c.field_name)
        fields[f"type_{i}"] = forms.ChoiceField(label="Type", choices=TYPE_CHOICES, initial=c.type.value)
        fields[f"description_{i}"] = forms.CharField(
            label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}), initial=c.description
        )

    def clean(self):
        data = forms.Form.clean(self)
        seen = {}
        for i, _ in enumerate(columns):
            fname = (data.get(f"field_{i}") or "").strip()
            if not fname:
                continue
            if not FIELD_NAME_RE.match(fname):
                self.add_error(
                    f"field_{i}", "Field names use lower-case letters, digits and underscores, and start with a letter"
                )
            elif fname in seen:
                self.add_error(f"field_{i}", f"Another column already uses the field name {fname}")
            seen[fname] = i
        return data

    fields["clean"] = clean
    return type("ColumnForm", (forms.Form,), fields)


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What will you use it for?", max_length=200, error_messages={"required": "Enter a name"}
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("app", "App token (identifies an app; no rights)"), ("key", "API key (publishes with your rights)")],
        widget=forms.RadioSelect,
        initial="app",
    )


class NewUserForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150, error_messages={"required": "Enter a username"})
    email = forms.EmailField(label="Email", required=False)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.VIEWER)
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput,
        min_length=12,
        error_messages={"min_length": "The password must be at least 12 characters", "required": "Enter a password"},
    )

    def clean_username(self):
        u = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=u).exists():
            raise forms.ValidationError("There is already a user with that username")
        return u


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    active = forms.BooleanField(label="Can sign in", required=False)


def default_review_date() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=365)
