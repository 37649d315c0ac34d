from django.urls import path

from . import views_budget, views_criteria, views_dashboard, views_initiatives, views_people, views_records

app_name = "strategy"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("discovery/", views_dashboard.discovery, name="discovery"),
    path("initiatives/", views_initiatives.initiative_list, name="initiatives"),
    path("initiatives/new/", views_initiatives.initiative_edit, name="initiative-new"),
    path("initiatives/<str:ref>/", views_initiatives.initiative_detail, name="initiative"),
    path("initiatives/<str:ref>/edit/", views_initiatives.initiative_edit, name="initiative-edit"),
    path("initiatives/<str:ref>/score/", views_initiatives.initiative_score, name="initiative-score"),
    path("criteria/", views_criteria.criteria_list, name="criteria"),
    path("criteria/new/", views_criteria.criterion_edit, name="criterion-new"),
    path("criteria/<int:pk>/edit/", views_criteria.criterion_edit, name="criterion-edit"),
    path("ranking/", views_initiatives.ranking_view, name="ranking"),
    path("portfolio/", views_initiatives.portfolio, name="portfolio"),
    path("budget/", views_budget.budget, name="budget"),
    path("budget/import/", views_budget.budget_import, name="import"),
    path("people/", views_people.people, name="people"),
    path("records/<str:kind_name>/new/", views_records.record_edit, name="record-new"),
    path("records/<str:kind_name>/<int:pk>/edit/", views_records.record_edit, name="record-edit"),
]
