from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.adoption_view, name="adoption"),
    path("services/", views.service_list, name="services"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/assess/", views.assess, name="assess"),
    path("assessments/<int:pk>/", views.report, name="report"),
    path("assessments/<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
]
