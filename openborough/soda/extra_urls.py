"""Socrata's APIs beside SODA 2.1: the Publishing API (DSMAPI), geospatial export and OData v4. Included once from ``openborough.urls``."""

from django.urls import path, re_path

from . import dsmapi, geoexport, odata

FF = r"(?P<fourfour>[^/.]+)"
SEQ = r"(?P<seq>\d{1,9})"
SRC = r"(?P<source_id>\d{1,12})"
ISID = r"(?P<schema_id>\d{1,12})"
OSID = r"(?P<output_id>\d{1,12}|latest)"
P = r"^api/publishing/v1"
DS = r"(?P<dataset_id>[^/.$]+)"

urlpatterns = [
    path("api/publishing/v1/revision", dsmapi.revision_new, name="dsmapi-revision-new"),
    re_path(rf"{P}/revision/{FF}$", dsmapi.revisions, name="dsmapi-revisions"),
    re_path(rf"{P}/revision/{FF}/{SEQ}$", dsmapi.revision_detail, name="dsmapi-revision"),
    re_path(rf"{P}/revision/{FF}/{SEQ}/apply$", dsmapi.revision_apply, name="dsmapi-apply"),
    re_path(rf"{P}/revision/{FF}/{SEQ}/plan$", dsmapi.revision_plan, name="dsmapi-plan"),
    re_path(rf"{P}/revision/{FF}/{SEQ}/source$", dsmapi.revision_sources, name="dsmapi-revision-sources"),
    re_path(rf"{P}/job/(?P<job_id>\d{{1,12}})$", dsmapi.job_detail, name="dsmapi-job"),
    path("api/publishing/v1/source", dsmapi.sources, name="dsmapi-sources"),
    re_path(rf"{P}/source/{SRC}$", dsmapi.source_detail, name="dsmapi-source"),
    re_path(rf"{P}/source/{SRC}/upload$", dsmapi.upload_initiate, name="dsmapi-upload"),
    re_path(
        rf"{P}/source/{SRC}/upload/chunk/(?P<seq_num>\d{{1,9}})/(?P<byte_offset>\d{{1,15}})$",
        dsmapi.upload_chunk,
        name="dsmapi-upload-chunk",
    ),  # fmt: skip
    re_path(
        rf"{P}/source/{SRC}/upload/commit/(?P<seq_num>\d{{1,9}})/(?P<byte_offset>\d{{1,15}})$",
        dsmapi.upload_commit,
        name="dsmapi-upload-commit",
    ),  # fmt: skip
    re_path(rf"{P}/source/{SRC}/schema/{ISID}$", dsmapi.input_schema, name="dsmapi-input-schema"),
    re_path(rf"{P}/source/{SRC}/schema/{ISID}/output/{OSID}$", dsmapi.output_schema, name="dsmapi-output-schema"),
    re_path(rf"{P}/source/{SRC}/schema/{ISID}/output/{OSID}/rows$", dsmapi.output_rows, name="dsmapi-rows"),
    re_path(rf"{P}/source/{SRC}/schema/{ISID}/output/{OSID}/errors$", dsmapi.output_errors, name="dsmapi-errors"),
    re_path(
        rf"{P}/source/{SRC}/schema/{ISID}/output/{OSID}/build_config$", dsmapi.build_config, name="dsmapi-build-config"
    ),  # fmt: skip
    re_path(
        rf"{P}/source/{SRC}/schema/{ISID}/output/{OSID}/transform/(?P<transform_id>\d{{1,15}})/validate_row_id$",
        dsmapi.validate_row_id,
        name="dsmapi-validate-row-id",
    ),  # fmt: skip
    path("api/publishing/v1/config", dsmapi.configs, name="dsmapi-configs"),
    re_path(rf"{P}/config/(?P<name>[^/]+)$", dsmapi.config_detail, name="dsmapi-config"),
    re_path(rf"{P}/config/(?P<name>[^/]+)/revision/{FF}$", dsmapi.config_revision, name="dsmapi-config-revision"),
    re_path(rf"^api/geospatial/{DS}$", geoexport.geospatial, name="geospatial-export"),
    re_path(rf"^api/odata/v4/{DS}/?$", odata.service_document, name="odata-service"),
    re_path(rf"^api/odata/v4/{DS}/\$metadata$", odata.metadata, name="odata-metadata"),
    re_path(rf"^api/odata/v4/{DS}/(?P<name>[A-Za-z0-9_-]+)/\$count$", odata.entity_count, name="odata-count"),
    re_path(rf"^api/odata/v4/{DS}/(?P<name>[A-Za-z0-9_-]+)$", odata.entity_set, name="odata-entity-set"),
]
