"""The catalogue: datasets, their columns and versions, exemptions and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..soql.types import Column as SoQLColumn
from ..soql.types import Schema, SoQLType
from .ids import DATASET_ID_RE


class Licence(models.TextChoices):
    OGL3 = "OGL-UK-3.0", "Open Government Licence v3.0"
    CC_BY4 = "CC-BY-4.0", "Creative Commons Attribution 4.0"
    CC0 = "CC0-1.0", "Creative Commons CCZero"
    ODBL = "ODbL-1.0", "Open Data Commons Open Database License"
    OTHER = "other", "Other (see description)"


LICENCE_URLS = {
    Licence.OGL3: "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    Licence.CC_BY4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class Frequency(models.TextChoices):
    REALTIME = "realtime", "Real time"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"
    IRREGULAR = "irregular", "Irregular"
    NEVER = "never", "Not updated (historical)"


class Exemption(models.TextChoices):
    """FOI Act 2000 exemptions most often relied on for not publishing data."""

    S21 = "s21", "s.21 Information accessible by other means"
    S22 = "s22", "s.22 Intended for future publication"
    S24 = "s24", "s.24 National security"
    S31 = "s31", "s.31 Law enforcement"
    S36 = "s36", "s.36 Prejudice to effective conduct of public affairs"
    S38 = "s38", "s.38 Health and safety"
    S40 = "s40", "s.40 Personal data"
    S41 = "s41", "s.41 Information provided in confidence"
    S42 = "s42", "s.42 Legal professional privilege"
    S43 = "s43", "s.43 Commercial interests"
    S44 = "s44", "s.44 Prohibitions on disclosure"


#: not an FOI section, so a dataset's only: harvested from a portal where it was not public, awaiting a decision
EXEMPTION_REVIEW = "review"
DATASET_EXEMPTIONS = [*Exemption.choices, (EXEMPTION_REVIEW, "To review (harvested while private at its source)")]


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private (exempt)"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)

    def __str__(self):
        return self.name


def validate_dataset_id(value: str) -> None:
    if not DATASET_ID_RE.match(value):
        raise ValidationError(f"{value!r} is not a dataset id: four letters or digits, a hyphen, four more (abcd-1234)")


class Dataset(models.Model):
    id = models.CharField(primary_key=True, max_length=9, validators=[validate_dataset_id])
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown; sanitised when shown")
    category = models.CharField(max_length=100, blank=True, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    licence = models.CharField(max_length=32, choices=Licence.choices, default=Licence.OGL3)
    attribution = models.CharField(max_length=300, blank=True)
    update_frequency = models.CharField(max_length=16, choices=Frequency.choices, blank=True)
    temporal_coverage = models.CharField(max_length=100, blank=True, help_text="e.g. 2017-04/2020-08")
    spatial_coverage = models.CharField(max_length=200, blank=True, help_text="e.g. London Borough of Camden")
    row_identifier = models.CharField(max_length=100, blank=True)

    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    exemption = models.CharField(max_length=8, choices=DATASET_EXEMPTIONS, blank=True)
    exemption_reason = models.TextField(blank=True)
    exemption_review_date = models.DateField(null=True, blank=True)

    #: False while a dataset made through the API has not been published yet
    published = models.BooleanField(default=True)
    current_version = models.PositiveIntegerField(null=True, blank=True)
    row_count = models.BigIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    data_updated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.id})"

    def clean(self):
        if self.visibility == Visibility.PRIVATE:
            missing = [
                label
                for label, value in (
                    ("an FOI exemption", self.exemption),
                    ("an explanation", self.exemption_reason.strip()),
                    ("a review date", self.exemption_review_date),
                )
                if not value
            ]
            if missing:
                raise ValidationError("Open by default: a private dataset needs " + ", ".join(missing) + " recorded.")

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.published

    def schema(self) -> Schema:
        return Schema(
            tuple(
                SoQLColumn(c.field_name, SoQLType(c.type), c.name, c.description)
                for c in self.columns.order_by("position")
            )
        )

    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class DatasetColumn(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="columns")
    field_name = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=32, choices=[(t.value, t.value) for t in SoQLType])
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        unique_together = [("dataset", "field_name")]

    def __str__(self):
        return f"{self.dataset_id}.{self.field_name}"


class Version(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16)  # replace | append | upsert | delete | create
    source = models.CharField(max_length=500, blank=True)
    row_count = models.BigIntegerField(default=0)
    schema = models.JSONField(default=list)
    report = models.JSONField(default=dict, blank=True)
    rows_created = models.BigIntegerField(default=0)
    rows_updated = models.BigIntegerField(default=0)
    rows_deleted = models.BigIntegerField(default=0)
    #: False once the version's rows were removed from the store (retention)
    stored = models.BooleanField(default=True)

    class Meta:
        ordering = ["-number"]
        unique_together = [("dataset", "number")]

    def __str__(self):
        return f"{self.dataset_id} v{self.number}"


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=200, help_text="username, or how the change came (cli, api)")
    action = models.CharField(max_length=40, db_index=True)
    dataset_id = models.CharField(max_length=9, blank=True, db_index=True)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.dataset_id}"


class Attachment(models.Model):
    """A file published with a dataset (a data dictionary, a methodology note…):
    Socrata's dataset attachments. The bytes live under ``<data-dir>/attachments``."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="attachments")
    asset_id = models.CharField(max_length=32, unique=True, editable=False)
    name = models.CharField(max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=200, default="application/octet-stream")
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.dataset_id}: {self.filename}"
