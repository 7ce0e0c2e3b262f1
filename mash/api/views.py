"""Base classes for API views: visibility first, the actor bound, reads of people audited."""

from rest_framework import viewsets
from rest_framework.response import Response

from mash.audit.context import bind_actor
from mash.audit.events import record_access, record_listing

from .filters import VisibilityFilterBackend


class VisibleViewSetMixin:
    """Every queryset passes the view's visibility selector before any other filter.

    Set `visible_to` (the app's selector) and optionally `allowed_roles`; set `audit_reads` on
    views of records that identify a person so each retrieve writes an access entry and each
    listed page one listing entry.
    """

    visible_to = None
    allowed_roles: frozenset[str] | None = None
    audit_reads = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bind_actor(request.user)

    def filter_queryset(self, queryset):
        queryset = VisibilityFilterBackend().filter_queryset(self.request, queryset, self)
        for backend in self.filter_backends:
            if backend is not VisibilityFilterBackend:
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.audit_reads and page:
            record_listing(page)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if self.audit_reads:
            record_access(instance)
        return Response(self.get_serializer(instance).data)


class VisibleReadOnlyViewSet(VisibleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
