from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Perm


def permissions(request):
    """`can.view_residents` etc. for templates: what the user's role may do; and `system`,
    the actor named where a row has no staff author (a command, an import, a task)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}, "system": SYSTEM}
    return {"can": {perm.value: user.can(perm) for perm in Perm}, "system": SYSTEM}
