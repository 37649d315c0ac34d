from django.urls import path

from . import api, views_foi, views_public, views_staff

app_name = "requests_foi"

urlpatterns = [
    path("", views_public.request_list, name="list"),
    path("new/", views_public.request_new, name="new"),
    path("<int:pk>/", views_public.request_detail, name="detail"),
    path("<int:pk>/sent/", views_public.request_submitted, name="submitted"),
    path("<int:pk>/vote/", views_public.request_vote, name="vote"),
    path("<int:pk>/follow/", views_public.request_follow, name="follow"),
    path("<int:pk>/comment/", views_public.request_comment, name="comment"),
    path("forget/<str:token>/", views_public.forget, name="forget"),
    path("confirm/<str:token>/", views_public.confirm, name="confirm"),
    # staff
    path("staff/", views_staff.queue, name="queue"),
    path("<int:pk>/manage/", views_staff.manage, name="manage"),
    path("<int:pk>/note/", views_staff.add_note, name="note"),
    path("comments/<int:pk>/moderate/", views_staff.moderate_comment, name="moderate"),
    # FOI log
    path("foi/", views_foi.foi_list, name="foi_list"),
    path("foi/new/", views_foi.foi_edit, name="foi_new"),
    path("foi/<int:pk>/", views_foi.foi_edit, name="foi_edit"),
    path("foi/<int:pk>/delete/", views_foi.foi_delete, name="foi_delete"),
    path("foi/import/", views_foi.foi_import, name="foi_import"),
    path("foi/dashboard/", views_foi.dashboard, name="foi_dashboard"),
    path("foi/charts/<str:name>.svg", views_foi.chart_svg, name="foi_chart"),
    # JSON API
    path("api/v1/requests", api.requests_collection, name="api_list"),
    path("api/v1/requests/<int:pk>", api.request_detail, name="api_detail"),
    path("api/v1/requests/<int:pk>/vote", api.request_vote, name="api_vote"),
    path("api/v1/requests/<int:pk>/follow", api.request_follow, name="api_follow"),
    path("api/openapi.json", api.openapi, name="api_openapi"),
]
