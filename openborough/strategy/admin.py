from django.contrib import admin

from . import models as m


class InitiativeYearInline(admin.TabularInline):
    model = m.InitiativeYear
    extra = 1


class SavingsYearInline(admin.TabularInline):
    model = m.SavingsYear
    extra = 1


class DescriptorInline(admin.TabularInline):
    model = m.ScaleDescriptor
    extra = 1


@admin.register(m.Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("ref", "name", "owning_service", "phase", "status")
    list_filter = ("status", "phase", "owning_service")
    search_fields = ("ref", "name")
    filter_horizontal = ("foundations", "aspirations", "outcomes", "services_changed")
    inlines = [InitiativeYearInline]


@admin.register(m.SavingsProposal)
class SavingsProposalAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "owning_service", "saving_type", "rag", "digital_share_pct")
    list_filter = ("rag", "saving_type", "owning_service")
    filter_horizontal = ("outcomes", "initiatives")
    inlines = [SavingsYearInline]


@admin.register(m.Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "weight", "scale_min", "scale_max", "position")
    inlines = [DescriptorInline]


for model in (m.Service, m.ToolkitRole, m.Outcome, m.Foundation, m.Aspiration, m.Score, m.BudgetAllocation):
    admin.site.register(model)
