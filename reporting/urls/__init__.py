"""Reporting's routes under /reporting/, one module per area of pages."""

from . import backlog, dashboard, downloads

app_name = "reporting"

urlpatterns = [*dashboard.urlpatterns, *downloads.urlpatterns, *backlog.urlpatterns]
