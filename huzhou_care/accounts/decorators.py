from functools import wraps

from django.http import Http404


def role_required(roles):
    """Pages outside a role's work answer 404, like objects outside its scope."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)
        return wrapper

    return decorator
