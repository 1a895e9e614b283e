from django.contrib import admin

from .models import CensusSnapshot, InfoReport, ReportRun, ReportRunPart


class ReportRunPartInline(admin.TabularInline):
    """A failed year group's parts: the reference in its error message is run-part."""

    model = ReportRunPart
    fields = ("id", "key", "status", "attempts", "error", "started_at", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("type", "school", "status", "progress", "total", "created_at", "finished_at")
    list_filter = ("status", "type")
    readonly_fields = [f.name for f in ReportRun._meta.fields]
    inlines = [ReportRunPartInline]


@admin.register(CensusSnapshot)
class CensusSnapshotAdmin(admin.ModelAdmin):
    list_display = ("school", "census_date", "on_roll", "sen_support", "ehc_plan", "source")
    list_filter = ("source",)


@admin.register(InfoReport)
class InfoReportAdmin(admin.ModelAdmin):
    list_display = ("school", "published", "published_on", "updated_at")
