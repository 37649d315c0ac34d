from django.contrib import admin

from .models import Action, Assessment, PointResult


class PointResultInline(admin.TabularInline):
    model = PointResult
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("service", "standard", "assessed_on", "overall")
    list_filter = ("standard", "overall")
    inlines = [PointResultInline]


admin.site.register(Action)
