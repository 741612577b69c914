from django.contrib import admin

from satisfaction.models import Rating, RatingSettings


@admin.register(RatingSettings)
class RatingSettingsAdmin(admin.ModelAdmin):
    list_display = ["site", "scale", "change_minutes"]
    list_select_related = ["site"]
    list_filter = ["scale"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dialog", "scale", "score", "good", "created_at", "updated_at"]
    list_filter = ["scale", "good", "score", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["dialog"]
    search_fields = ["comment"]
    raw_id_fields = ["dialog"]
    readonly_fields = ["created_at", "updated_at"]
