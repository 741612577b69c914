from django.contrib import admin

from leads.models import Lead


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["created_at", "site", "source", "name", "email", "phone"]
    list_filter = ["site", "source", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["site"]
    search_fields = ["name", "email", "phone", "message"]
    date_hierarchy = "created_at"
    raw_id_fields = ["visitor", "dialog"]
    readonly_fields = ["created_at"]
