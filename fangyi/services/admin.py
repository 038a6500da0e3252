from django.contrib import admin

from fangyi.services.models import ErrandTarget


@admin.register(ErrandTarget)
class ErrandTargetAdmin(admin.ModelAdmin):
    list_display = ("community", "pickup_minutes")
