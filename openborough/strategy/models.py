"""Discovery, initiatives, prioritisation and the outcomes-based budget.

Years are financial years named by the calendar year they start in
(``2025`` is 2025/26); ``fy_label`` prints them the council way.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


def fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def validate_year(value: int) -> None:
    if not 2000 <= value <= 2100:
        raise ValidationError(f"{value} is not a financial year between 2000 and 2100")


# --- services and toolkit roles ----------------------------------------------


class Phase(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    ALPHA = "alpha", "Alpha"
    BETA = "beta", "Beta"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class Service(models.Model):
    """A council service: owns initiatives and savings, and is assessed against the standard."""

    name = models.CharField(max_length=200, unique=True)
    service_area = models.CharField(max_length=200, help_text="directorate or service area")
    owner = models.CharField(max_length=200, blank=True, help_text="accountable senior manager or member")
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.LIVE)
    channels = models.CharField(max_length=300, blank=True, help_text="comma-separated: online, phone, face to face…")
    users_per_year = models.PositiveIntegerField(null=True, blank=True)
    reassess_every_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        ordering = ["service_area", "name"]

    def __str__(self):
        return self.name

    @property
    def channel_list(self) -> list[str]:
        return [c.strip() for c in self.channels.split(",") if c.strip()]


class ToolkitRoleKind(models.TextChoices):
    COUNCILLOR = "councillor", "Councillor (read only)"
    OFFICER = "officer", "Officer (edits their own service's records, scores initiatives)"
    ADMIN = "admin", "Administrator (edits everything, sets criteria)"


class ToolkitRole(models.Model):
    """A person's role in the leadership toolkit (separate from their data-portal role)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="toolkit_role")
    role = models.CharField(max_length=16, choices=ToolkitRoleKind.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="officers")

    def clean(self):
        if self.role == ToolkitRoleKind.OFFICER and self.service_id is None:
            raise ValidationError("An officer edits their own service's records: choose the service.")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


# --- outcomes and discovery ------------------------------------------------------


class OutcomeSource(models.TextChoices):
    PLAN = "plan", "Council plan"
    STATUTORY = "statutory", "Statutory duty"
    GOVERNANCE = "governance", "Good governance"


class Outcome(models.Model):
    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=16, choices=OutcomeSource.choices, default=OutcomeSource.PLAN)
    description = models.TextField(blank=True)
    delivery_lead = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FoundationKind(models.TextChoices):
    BEHAVIOURAL = "behavioural", "Behavioural and cultural"
    PROCESS = "process", "Process"
    SKILLS = "skills", "Skills"
    TECHNOLOGY = "technology", "Technology"
    DATA = "data", "Data"


class FoundationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IN_PLACE = "in_place", "In place"


class Foundation(models.Model):
    """A basic the council must get right internally before more transformation."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    owning_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="foundations")
    kind = models.CharField(max_length=16, choices=FoundationKind.choices)
    current_state = models.TextField(blank=True)
    target_state = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=FoundationStatus.choices, default=FoundationStatus.NOT_STARTED)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Aspiration(models.Model):
    """A digital principle tied to a council priority."""

    name = models.CharField(max_length=200, unique=True)
    council_priority = models.CharField(max_length=200, help_text="e.g. digital inclusion, regeneration")
    principle = models.TextField(blank=True)
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="aspirations")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- initiatives ---------------------------------------------------------------


class InitiativePhase(models.TextChoices):
    IDEA = "idea", "Idea"
    DISCOVERY = "discovery", "Discovery"
    ALPHA = "alpha", "Alpha"
    BETA = "beta", "Beta"
    LIVE = "live", "Live"


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    IN_DELIVERY = "in_delivery", "In delivery"
    ON_HOLD = "on_hold", "On hold"
    COMPLETE = "complete", "Complete"
    STOPPED = "stopped", "Stopped"


#: fields of an initiative an officer may mark confidential (withheld from the open dataset)
INITIATIVE_CONFIDENTIAL_CHOICES = ("sponsor", "costs", "savings", "risks", "dependencies")


class Initiative(models.Model):
    ref = models.CharField(max_length=20, unique=True, help_text="short reference, e.g. DIG-01")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owning_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="initiatives")
    sponsor = models.CharField(max_length=200, blank=True)
    foundations = models.ManyToManyField(Foundation, blank=True, related_name="initiatives")
    aspirations = models.ManyToManyField(Aspiration, blank=True, related_name="initiatives")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="initiatives")
    services_changed = models.ManyToManyField(Service, blank=True, related_name="changed_by_initiatives")
    phase = models.CharField(max_length=16, choices=InitiativePhase.choices, default=InitiativePhase.IDEA)
    status = models.CharField(max_length=16, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED)
    benefits_to_residents = models.TextField(blank=True)
    dependencies = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    confidential_fields = models.JSONField(
        default=list, blank=True, help_text="which of sponsor, costs, savings, risks, dependencies are withheld"
    )
    internal_notes = models.TextField(blank=True, help_text="never published")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ref"]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def clean(self):
        bad = [f for f in self.confidential_fields or [] if f not in INITIATIVE_CONFIDENTIAL_CHOICES]
        if bad:
            raise ValidationError(
                {
                    "confidential_fields": f"unknown field(s) {', '.join(map(str, bad))}; "
                    f"choose from {', '.join(INITIATIVE_CONFIDENTIAL_CHOICES)}"
                }
            )

    def totals(self) -> dict[str, float]:
        out = {"one_off_cost": 0.0, "running_cost": 0.0, "cashable_savings": 0.0, "non_cashable_savings": 0.0}
        for y in self.years.all():
            for k in out:
                out[k] += float(getattr(y, k))
        out["investment"] = out["one_off_cost"] + out["running_cost"]
        return out


money = {"max_digits": 14, "decimal_places": 2, "default": 0, "validators": [MinValueValidator(0)]}


class InitiativeYear(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(validators=[validate_year])
    one_off_cost = models.DecimalField(**money)
    running_cost = models.DecimalField(**money)
    cashable_savings = models.DecimalField(**money)
    non_cashable_savings = models.DecimalField(**money)

    class Meta:
        ordering = ["year"]
        unique_together = [("initiative", "year")]


# --- prioritisation criteria and scores -----------------------------------------


class Criterion(models.Model):
    """A prioritisation criterion: the council's data, not code."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=8, decimal_places=3, validators=[MinValueValidator(0)])
    scale_min = models.SmallIntegerField(default=0)
    scale_max = models.SmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.name

    def clean(self):
        if self.scale_max <= self.scale_min:
            raise ValidationError("The top of the scale must be above the bottom.")


class ScaleDescriptor(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="descriptors")
    value = models.SmallIntegerField()
    descriptor = models.CharField(max_length=300)

    class Meta:
        ordering = ["value"]
        unique_together = [("criterion", "value")]

    def __str__(self):
        return f"{self.value}: {self.descriptor}"


class Score(models.Model):
    """One assessor's score of one initiative on one criterion.

    The criterion's scale at the time of scoring is kept, so a rescaled
    criterion does not silently change the meaning of old scores."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField()
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    rationale = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("initiative", "criterion", "assessor")]
        ordering = ["initiative", "criterion", "assessor"]

    def clean(self):
        lo = self.scale_min if self.scale_min is not None else self.criterion.scale_min
        hi = self.scale_max if self.scale_max is not None else self.criterion.scale_max
        if self.value is not None and not lo <= self.value <= hi:
            raise ValidationError({"value": f"score must be between {lo} and {hi}"})

    def save(self, *args, **kwargs):
        if self.scale_min is None:
            self.scale_min = self.criterion.scale_min
        if self.scale_max is None:
            self.scale_max = self.criterion.scale_max
        super().save(*args, **kwargs)


# --- outcomes-based budget --------------------------------------------------------


class BudgetAllocation(models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="allocations")
    year = models.PositiveSmallIntegerField(validators=[validate_year])
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year", "outcome__name"]
        unique_together = [("outcome", "year")]


class SavingType(models.TextChoices):
    EFFICIENCY = "efficiency", "Efficiency"
    INCOME = "income", "Income"
    SERVICE_CHANGE = "service_change", "Service change"
    STOP = "stop", "Stop"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    DELIVERED = "delivered", "Delivered"


class DigitalKind(models.TextChoices):
    """Camden's six kinds of digital enablement (Digital Strategy update, Dec 2014)."""

    CHANNEL_SHIFT = "channel_shift", "Channel shift"
    ANALYTICS = "analytics", "Analytics"
    AGILE_MOBILE = "agile_mobile", "Agile and mobile working"
    INTEGRATION = "integration", "Integration infrastructure"
    APPLICATION = "application", "Application change"
    INFO_SHARING = "info_sharing", "Information sharing and data migration"


SAVINGS_CONFIDENTIAL_CHOICES = ("amounts", "description", "digital_dependency")


class SavingsProposal(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    saving_type = models.CharField(max_length=16, choices=SavingType.choices)
    owning_service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="savings")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="savings")
    rag = models.CharField("delivery status", max_length=16, choices=Rag.choices, default=Rag.AMBER)
    achieved_to_date = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    digital_kinds = models.JSONField(default=list, blank=True, help_text="which of Camden's six kinds it needs")
    digital_share_pct = models.DecimalField(
        "share of the saving that depends on digital (%)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    digital_dependency = models.TextField(blank=True, help_text="how the saving depends on digital")
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="savings")
    confidential_fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ref"]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        errors = {}
        kinds = self.digital_kinds or []
        bad = [k for k in kinds if k not in DigitalKind.values]
        if bad:
            errors["digital_kinds"] = f"unknown kind(s) {', '.join(map(str, bad))}; use {', '.join(DigitalKind.values)}"
        elif kinds and not self.digital_share_pct:
            errors["digital_share_pct"] = "a saving that needs digital enablement must say how much of it depends on it"
        elif not kinds and self.digital_share_pct:
            errors["digital_kinds"] = "say which kind of digital enablement the dependent share needs"
        badc = [f for f in self.confidential_fields or [] if f not in SAVINGS_CONFIDENTIAL_CHOICES]
        if badc:
            errors["confidential_fields"] = f"choose from {', '.join(SAVINGS_CONFIDENTIAL_CHOICES)}"
        if errors:
            raise ValidationError(errors)

    @property
    def digital_kind_labels(self) -> list[str]:
        return [DigitalKind(k).label for k in self.digital_kinds if k in DigitalKind.values]

    def total(self) -> float:
        return float(sum(y.amount for y in self.years.all()))


class SavingsYear(models.Model):
    proposal = models.ForeignKey(SavingsProposal, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(validators=[validate_year])
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["year"]
        unique_together = [("proposal", "year")]
