"""What pairings add to other apps' scopes (read by ``huzhou_care.accounts.scoping``).

A volunteer (or paired teacher with the volunteer role) sees the children actively paired
with them; a coordinator the children of the school their organisation is paired with this
campaign year. Other roles keep their place scope (children's own rule) and get nothing here,
so that their queries carry no extra subquery."""

from django.db.models import Q

from huzhou_care.accounts.models import Role
from huzhou_care.accounts.scoping import NOTHING


def child_scope(user) -> Q:
    from .models import ChildPairing, coordinator_schools

    if user.role == Role.VOLUNTEER:
        if not user.pk:
            return NOTHING
        return Q(pk__in=ChildPairing.objects.active().filter(person_id=user.pk).values("child_id"))
    if user.role == Role.ORG_COORDINATOR and user.organization_id:
        return Q(school_id__in=coordinator_schools(user))
    return NOTHING


SCOPES = {"children.Child": child_scope}
