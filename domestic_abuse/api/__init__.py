"""DA notifications through the REST API."""

from .views import DaNotificationViewSet

__all__ = ["DaNotificationViewSet"]
