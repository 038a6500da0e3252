from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from fangyi.org.models import Community, Grid, Site, Staff, Subdistrict, Unit


class GridInline(admin.TabularInline):
    model = Grid
    extra = 0


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "city", "area_code"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "subdistrict", "ordering"]
    list_filter = ["subdistrict"]
    inlines = [GridInline]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "subdistrict"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "subdistrict"]


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "community", "grid", "is_active"]
    list_filter = ["role", "community"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Fangyi",
            {
                "fields": [
                    "display_name",
                    "phone",
                    "role",
                    "subdistrict",
                    "community",
                    "grid",
                    "unit",
                    "site",
                    "seconded_from",
                    "seconded_until",
                ]
            },
        ),
    ]
