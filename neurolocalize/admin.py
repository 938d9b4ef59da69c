from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff may read in the admin but never add or rewrite there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
