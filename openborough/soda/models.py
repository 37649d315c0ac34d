"""State of Socrata's Publishing API (DSMAPI, ``/api/publishing/v1``): revisions,
sources with their uploaded bytes, output schemas and import configs. The rows
themselves reach the store only through ``catalog.publishing`` when a revision
is applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PublishingRevision(models.Model):
    fourfour = models.CharField(max_length=9, db_index=True)
    revision_seq = models.IntegerField()
    action = models.CharField(max_length=10)  # update, replace, delete
    permission = models.CharField(max_length=10, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    config = models.ForeignKey("PublishingConfig", null=True, blank=True, on_delete=models.SET_NULL)
    output_schema_id = models.IntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    job_status = models.CharField(max_length=20, blank=True)  # "" until applied, then "successful"
    job_finished_at = models.DateTimeField(null=True, blank=True)
    job_log = models.JSONField(default=list, blank=True)

    class Meta:
        unique_together = [("fourfour", "revision_seq")]


class PublishingSource(models.Model):
    revision = models.ForeignKey(PublishingRevision, null=True, blank=True, on_delete=models.CASCADE)
    source_type = models.JSONField(default=dict)
    parse_options = models.JSONField(default=dict, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_details = models.JSONField(null=True, blank=True)
    byte_size = models.BigIntegerField(default=0)
    #: the file's columns as the importer read them: [{field_name, display_name, guessed_soql_type}]
    input_columns = models.JSONField(default=list, blank=True)
    total_rows = models.BigIntegerField(null=True, blank=True)


class PublishingOutputSchema(models.Model):
    source = models.ForeignKey(PublishingSource, on_delete=models.CASCADE, related_name="output_schemas")
    #: [{field_name, display_name, description, position, is_primary_key, transform: {transform_expr, …}}]
    output_columns = models.JSONField(default=list)
    sort_bys = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class PublishingConfig(models.Model):
    name = models.CharField(max_length=200, unique=True)
    data_action = models.CharField(max_length=10)  # update or replace
    parse_options = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
