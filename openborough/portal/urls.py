"""Portal routes: the public pages and the staff area (the SODA app owns /resource, /api and /data.json)."""

from django.urls import path, re_path

from .views import dataset, public, staff

app_name = "portal"

ID = r"(?P<dataset_id>[a-z0-9]{4}-[a-z0-9]{4})"

urlpatterns = [
    path("", public.home, name="home"),
    path("datasets/", public.catalogue, name="catalogue"),
    path("datasets/feed.atom", public.feed, name="feed"),
    re_path(rf"^datasets/{ID}/$", dataset.about, name="dataset"),
    re_path(rf"^datasets/{ID}/data$", dataset.data, name="dataset-data"),
    re_path(rf"^datasets/{ID}/chart$", dataset.chart, name="dataset-chart"),
    re_path(rf"^datasets/{ID}/map$", dataset.map_view, name="dataset-map"),
    re_path(rf"^datasets/{ID}/api$", dataset.api, name="dataset-api"),
    re_path(rf"^datasets/{ID}/download\.(?P<fmt>csv|xlsx|parquet)$", dataset.download, name="download"),
    re_path(rf"^d/{ID}$", dataset.short_link, name="short-link"),
    path("maps/wards.geojson", dataset.wards, name="wards"),
    path("maps/basemap.geojson", dataset.basemap, name="basemap"),
    path("organisations/", public.organisations, name="organisations"),
    path("organisations/<slug:slug>/", public.organisation, name="organisation"),
    path("sitemap.xml", public.sitemap, name="sitemap"),
    path("robots.txt", public.robots, name="robots"),
    # staff area
    path("staff/sign-in", staff.sign_in, name="sign-in"),
    path("staff/sign-out", staff.sign_out, name="sign-out"),
    path("staff/", staff.home, name="staff-home"),
    path("staff/publish", staff.publish_upload, name="publish"),
    path("staff/publish/<str:token>/columns", staff.publish_columns, name="publish-columns"),
    path("staff/publish/<str:token>/metadata", staff.publish_metadata, name="publish-metadata"),
    re_path(rf"^staff/datasets/{ID}/$", staff.dataset, name="staff-dataset"),
    path("staff/jobs/<uuid:job_id>/", staff.job, name="staff-job"),
    re_path(rf"^staff/datasets/{ID}/edit$", staff.edit, name="staff-edit"),
    re_path(rf"^staff/datasets/{ID}/replace$", staff.publish_upload, name="staff-replace"),
    re_path(rf"^staff/datasets/{ID}/attachments$", staff.attachments, name="staff-attachments"),
    path("staff/audit", staff.audit, name="staff-audit"),
    path("staff/tokens", staff.tokens, name="staff-tokens"),
    path("staff/users", staff.users, name="staff-users"),
    path("staff/users/<int:user_id>", staff.user_edit, name="staff-user"),
]
