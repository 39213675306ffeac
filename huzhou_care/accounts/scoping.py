"""The one scoping mechanism: who may see what.

Every model that holds scoped data uses a ``ScopedQuerySet`` subclass whose
``scope_filter(user)`` returns the ``Q`` of rows that user may see. Views, exports, searches
and tasks read through ``Model.objects.visible_to(user)`` and fetch single objects with
``get_visible_or_404``, so an object outside the user's scope answers 404, never 403.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

# A filter that matches no row; Django short-circuits it without running SQL.
NOTHING = Q(pk__in=[])


class ScopedQuerySet(models.QuerySet):
    @staticmethod
    def scope_filter(user) -> Q:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        q = self.scope_filter(user)
        if q == NOTHING:
            return self.none()
        return self.filter(q)


def place_scope(user, *, county: str, school: str) -> Q:
    """The scope of records that belong to a school and its county (children, rosters):
    the city administrators see all, a district its county, a school's staff their school.
    Other roles reach such records only through their own rules (pairings), not this one."""
    from .models import Role

    if user.role == Role.CITY_ADMIN:
        return Q()
    if user.role == Role.DISTRICT_STAFF:
        return Q(**{county: user.district_id})
    if user.role == Role.SCHOOL_STAFF:
        return Q(**{school: user.school_id})
    return NOTHING


def any_of(*filters: Q) -> Q:
    """The rows matching any of ``filters``; NOTHING when none can match (so ``visible_to``
    still answers an empty queryset without SQL)."""
    live = [q for q in filters if q != NOTHING]
    if not live:
        return NOTHING
    combined = live[0]
    for q in live[1:]:
        combined |= q
    return combined


@cache
def _providers(label: str) -> tuple:
    """Scope providers for ``label`` ("children.Child"): the ``SCOPES[label]`` callables of
    every installed app's ``scopes`` module, found through the app registry. An app above
    the model's own (pairing for children) widens the model's scope this way, without the
    model's app or the core importing it."""
    found = []
    for config in apps.get_app_configs():
        module = f"{config.name}.scopes"
        if find_spec(module) is not None:
            provider = getattr(import_module(module), "SCOPES", {}).get(label)
            if provider is not None:
                found.append(provider)
    return tuple(found)


def contributed_scope(label: str, user) -> Q:
    """What the other apps add to ``label``'s scope for ``user`` (each provider returns a Q
    or NOTHING)."""
    return any_of(*(provider(user) for provider in _providers(label)))


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one object the user may see, or raise Http404 (the same answer as "absent")."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    return get_object_or_404(qs.visible_to(user), **lookup)
