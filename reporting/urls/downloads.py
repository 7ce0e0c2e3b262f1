"""Routes of the downloads pages."""

from django.urls import URLPattern, path, re_path

from ..views import downloads

urlpatterns: list[URLPattern] = [
    re_path(
        r"^kpis/(?P<kpi_id>K[0-9]{1,2})/(?P<breakdown>[a-z_]{1,40})\.(?P<fmt>csv|xlsx)/$",
        downloads.kpi_table_download_view,
        name="kpi_table_download",
    ),
    path("workbook/", downloads.workbook_request, name="workbook_request"),
    path("exports/<uuid:job_id>/", downloads.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", downloads.export_download, name="export_download"),
    path("annex-a/", downloads.annex_a, name="annex_a"),
]
