from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("", views.compliance_page, name="compliance"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<slug:key>/", views.template_detail, name="template"),
    path("templates/<slug:key>.csv", views.template_csv, name="template_csv"),
    path("templates/<slug:key>/publish/", views.publish_page, name="publish"),
]
