"""Dataset requests from the public, and the FOI log linked to published data.

No personal data is kept about the public beyond an optional email address
for updates (``Follower``), which is erased when the request is closed or when
its owner follows the delete link in any email. Votes are counted, not
recorded: the browser remembers what it voted for in a signed cookie.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..catalog.models import Dataset, Exemption


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    PUBLISHED = "published", "Published"
    DECLINED = "declined", "Declined"


#: where each status may go next (staff may reopen a closed request)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: (Status.UNDER_REVIEW, Status.ACCEPTED, Status.DECLINED),
    Status.UNDER_REVIEW: (Status.ACCEPTED, Status.DECLINED, Status.SUBMITTED),
    Status.ACCEPTED: (Status.PUBLISHED, Status.DECLINED, Status.UNDER_REVIEW),
    Status.PUBLISHED: (Status.ACCEPTED,),
    Status.DECLINED: (Status.UNDER_REVIEW,),
}
CLOSED = (Status.PUBLISHED, Status.DECLINED)


class DeclineReason(models.TextChoices):
    ALREADY_PUBLISHED = "already_published", "Already published"
    FOI_EXEMPTION = "foi_exemption", "Exempt under the FOI Act"
    NOT_HELD = "not_held", "Information not held"
    COST_LIMIT = "cost_limit", "Cost exceeds the appropriate limit (£450, 18 hours)"
    OTHER = "other", "Other"


class DatasetRequest(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(help_text="What data is wanted, and why")
    use = models.TextField(blank=True, help_text="How the requester would use it")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_exemption = models.CharField(max_length=8, choices=Exemption.choices, blank=True)
    decline_detail = models.TextField(blank=True, help_text="Shown publicly with the decline reason")
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    votes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def clean(self):
        errors = {}
        if self.status == Status.PUBLISHED and not self.dataset_id:
            errors["dataset"] = "A published request needs the dataset that answers it."
        if self.status == Status.DECLINED:
            if not self.decline_reason:
                errors["decline_reason"] = "Choose why the request is declined."
            elif self.decline_reason == DeclineReason.ALREADY_PUBLISHED and not self.dataset_id:
                errors["dataset"] = "Link the dataset that is already published."
            elif self.decline_reason == DeclineReason.FOI_EXEMPTION and not self.decline_exemption:
                errors["decline_exemption"] = "Give the FOI Act section the exemption relies on."
            elif self.decline_reason == DeclineReason.OTHER and not self.decline_detail.strip():
                errors["decline_detail"] = "Explain the reason."
        if errors:
            raise ValidationError(errors)

    def public_reason(self) -> str:
        if self.status != Status.DECLINED:
            return ""
        text = self.get_decline_reason_display()
        if self.decline_reason == DeclineReason.FOI_EXEMPTION:
            text += f": {self.get_decline_exemption_display()}"
        return text


def _token() -> str:
    return secrets.token_urlsafe(24)


class Follower(models.Model):
    """An email address that gets updates on one request until it is closed.

    Updates go only to confirmed addresses (the owner followed the confirm link
    in the first email), so nobody can sign someone else up; unconfirmed
    addresses are deleted after ``UNCONFIRMED_DAYS``."""

    UNCONFIRMED_DAYS = 7

    request = models.ForeignKey(DatasetRequest, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField()
    is_requester = models.BooleanField(default=False)
    #: secret in the delete-my-email link
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        unique_together = [("request", "email")]

    def __str__(self):
        return f"follower of #{self.request_id}"


class Comment(models.Model):
    request = models.ForeignKey(DatasetRequest, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(max_length=80, blank=True, help_text="Shown with the comment; optional")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["created_at"]


class InternalNote(models.Model):
    request = models.ForeignKey(DatasetRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]


# --- FOI log -----------------------------------------------------------------


class Outcome(models.TextChoices):
    OPEN = "open", "Not yet answered"
    GRANTED = "granted", "Information provided"
    PUBLISHED_S21 = "s21_published", "Answered by published data (s.21)"
    S21_ELSEWHERE = "s21_other", "Reasonably accessible elsewhere (s.21), no dataset linked"
    PARTIAL = "partial", "Partly provided"
    REFUSED = "refused", "Refused (exemption)"
    NOT_HELD = "not_held", "Information not held"
    COST_LIMIT = "cost_limit", "Refused: cost limit"
    WITHDRAWN = "withdrawn", "Withdrawn"


class FOIRequest(models.Model):
    reference = models.CharField(max_length=60, unique=True)
    received = models.DateField()
    answered = models.DateField(null=True, blank=True)
    topic = models.CharField(max_length=300)
    text = models.TextField(blank=True, help_text="The request's wording, if it may be published")
    service = models.CharField(max_length=120, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    exemption = models.CharField(max_length=8, choices=Exemption.choices, blank=True)
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="foi_requests")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-received", "reference"]
        verbose_name = "FOI request"

    def __str__(self):
        return self.reference

    @property
    def deflected(self) -> bool:
        return self.outcome == Outcome.PUBLISHED_S21 and self.dataset_id is not None

    def clean(self):
        errors = {}
        if self.outcome == Outcome.PUBLISHED_S21 and not self.dataset_id:
            errors["dataset"] = "An FOI answered under s.21 by published data needs the dataset it points to."
        if self.dataset_id and self.outcome != Outcome.PUBLISHED_S21:
            errors["dataset"] = "Link a dataset only when the FOI was answered by pointing to it (s.21)."
        if self.answered and self.received and self.answered < self.received:
            errors["answered"] = "The answer date is before the date received."
        if self.outcome not in (Outcome.OPEN, Outcome.WITHDRAWN) and not self.answered:
            errors["answered"] = "Give the date the request was answered."
        if self.outcome == Outcome.REFUSED and not self.exemption:
            errors["exemption"] = "Give the exemption the refusal relies on."
        if errors:
            raise ValidationError(errors)
