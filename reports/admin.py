from django.contrib import admin

from .models import CensusSnapshot, InfoReport, ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("type", "school", "status", "progress", "total", "created_at", "finished_at")
    list_filter = ("status", "type")
    readonly_fields = [f.name for f in ReportRun._meta.fields]


@admin.register(CensusSnapshot)
class CensusSnapshotAdmin(admin.ModelAdmin):
    list_display = ("school", "census_date", "on_roll", "sen_support", "ehc_plan", "source")
    list_filter = ("source",)


@admin.register(InfoReport)
class InfoReportAdmin(admin.ModelAdmin):
    list_display = ("school", "published", "published_on", "updated_at")
