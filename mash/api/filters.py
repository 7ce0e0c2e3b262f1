from rest_framework.filters import BaseFilterBackend


class VisibilityFilterBackend(BaseFilterBackend):
    """Narrows every queryset through the view's visibility selector.

    The selector is the app's `<records>_visible_to(user, queryset=...)`; a view without one sees
    nothing (fail closed).
    """

    def filter_queryset(self, request, queryset, view):
        selector = getattr(view, "visible_to", None)
        if selector is None:
            return queryset.none()
        return selector(request.user, queryset=queryset)
