from fangyi.org.roles import Perm


def permissions(request):
    """`can.view_residents` etc. for templates: what the user's role may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {"can": {perm.value: user.can(perm) for perm in Perm}}
