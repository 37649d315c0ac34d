from django.urls import path

from . import views

urlpatterns = [
    path("", views.runs, name="harvest-runs"),
    path("<int:pk>", views.run_detail, name="harvest-run"),
    path("<int:pk>.json", views.run_progress, name="harvest-run-progress"),
]
