from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "fangyi.org"
    label = "org"
    verbose_name = _("组织架构")

    def ready(self) -> None:
        from fangyi.org.models import Staff

        pre_save.connect(_skip_history_of_logins, sender=Staff, dispatch_uid="org_skip_login_history")
        # Connected after simple-history's own post_save (made with the model), so it runs after it.
        post_save.connect(_history_again, sender=Staff, dispatch_uid="org_history_again")


def _skip_history_of_logins(sender, instance, update_fields=None, **kwargs) -> None:
    """A login saves the staff member's last_login alone: not a change of the
    organisation, and it would bury the audit page's changes under logins."""
    if update_fields is not None and set(update_fields) == {"last_login"}:
        instance.skip_history_when_saving = True


def _history_again(sender, instance, **kwargs) -> None:
    instance.__dict__.pop("skip_history_when_saving", None)
