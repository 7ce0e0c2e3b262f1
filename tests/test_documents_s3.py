"""Documents on S3-compatible object storage (django-storages' S3Storage), as in production with
MASH_S3_BUCKET set (docs/adr/0008-stored-files-object-storage.md).

The S3 service is moto's standalone server, a real HTTP endpoint started once for the session on a
free port of 127.0.0.1: django-storages and boto3 sign and send every request exactly as they do
against AWS, MinIO or Ceph; only the server differs. Each test gets its own bucket and points
STORAGES["default"] at it with the options production builds (`mash.settings.base._s3_storage`).
Scans use the real clamd of the other document tests (tests/conftest.py).

`Document.file` is built with no `storage=`, so it holds `default_storage`, Django's lazy proxy
to `storages["default"]`, which Django empties whenever STORAGES changes: overriding the setting
switches where documents go, with nothing to reset in the model (the first test checks it).
"""

import json
import socket
import uuid
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from documents import services
from documents.models import Document, ScanState
from documents.tasks import scan_document, scan_waiting_documents
from mash.audit.models import AuditEvent
from mash.idempotency.submissions import Submission
from mash.outbox.models import OutboxEmail
from mash.settings.base import _s3_storage
from tests.forms import submission_token
from tests.test_deploy import last_line, production_env, run_python
from tests.test_documents import EICAR, PDF, email_carrying, make_contact, stored_files, upload

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
ACCESS_KEY = "mash-test-access-key"
SECRET_KEY = "mash-test-secret-key"


# --- A real S3 endpoint --------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    """A boto3 client of that server, to look in the bucket as an operator would."""
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def bucket(settings, s3, s3_endpoint, media) -> str:
    """A new bucket, and the default storage pointed at it as production settings would point
    it with MASH_S3_BUCKET, MASH_S3_ENDPOINT_URL and the rest set. `media` (MEDIA_ROOT, a fresh
    folder) is there to show nothing lands on local disk."""
    name = f"mash-documents-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _s3_storage(
            name,
            {
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "addressing_style": "",
                "server_side_encryption": "AES256",
            },
        ),
    }
    return name


def keys(s3, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def upload_url(contact) -> str:
    return reverse("documents:upload_contact", kwargs={"pk": contact.pk})


def download_url(document) -> str:
    return reverse("documents:download", kwargs={"pk": document.pk})


# --- Where the files go ----------------------------------------------------------------------


def test_overriding_storages_moves_the_document_field_to_the_bucket(bucket):
    field_storage = Document._meta.get_field("file").storage
    assert field_storage is default_storage  # the lazy proxy, emptied when STORAGES changes
    assert field_storage.bucket_name == bucket  # resolved now, from the overridden setting
    assert type(field_storage._wrapped).__name__ == "S3Storage"
    assert field_storage.default_acl is None and field_storage.file_overwrite is False
    assert field_storage.querystring_auth is True


def test_a_pdf_goes_to_the_bucket_is_scanned_from_it_and_downloaded_as_an_attachment(
    scanner, media, bucket, s3, client_for, hub_worker, manager
):
    contact = make_contact()
    client = client_for(hub_worker)
    response = upload(client, hub_worker, upload_url(contact), "Police notice.pdf", PDF)
    assert response.status_code == 302
    document = Document.objects.get()
    key = f"documents/{document.uid}"
    assert document.file.name == key
    assert keys(s3, bucket) == [key] and body(s3, bucket, key) == PDF
    assert stored_files(media) == []  # nothing on the local disk
    head = s3.head_object(Bucket=bucket, Key=key)
    # Opaque, private-by-default, encrypted at rest: whatever the browser said the file was.
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"] == "attachment"
    assert head["ServerSideEncryption"] == "AES256"
    acl = s3.get_object_acl(Bucket=bucket, Key=key)
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in acl["Grants"])

    assert client.get(download_url(document)).status_code == 404  # not yet scanned
    assert scan_document.apply(args=(document.pk,)).get() == ScanState.CLEAN  # read from S3
    document.refresh_from_db()
    assert document.scan_state == ScanState.CLEAN

    for user in (hub_worker, manager):
        response = client_for(user).get(download_url(document))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="Police notice.pdf"'
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Length"] == str(len(PDF))
        assert response["Cache-Control"] == "no-store"
        assert "Location" not in response  # served by the app: no presigned redirect
        assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(name="document.downloaded").count() == 2
    assert keys(s3, bucket) == [key]


def test_a_larger_file_streams_back_whole(scanner, bucket, s3, client_for, hub_worker):
    """Several of FileResponse's blocks and more than one S3 read: the same bytes come back."""
    content = PDF + bytes(range(256)) * 40_000  # about 10 MB
    contact = make_contact()
    client = client_for(hub_worker)
    assert upload(client, hub_worker, upload_url(contact), "scan.pdf", content).status_code == 302
    document = Document.objects.get()
    assert scan_document.apply(args=(document.pk,)).get() == ScanState.CLEAN
    response = client.get(download_url(document))
    assert response.status_code == 200 and response["Content-Length"] == str(len(content))
    assert b"".join(response.streaming_content) == content


def test_an_infected_upload_is_moved_to_quarantine_in_the_bucket(
    scanner, media, bucket, s3, client_for, hub_worker, django_capture_on_commit_callbacks
):
    payload = email_carrying(EICAR)
    contact = make_contact()
    client = client_for(hub_worker)
    assert upload(client, hub_worker, upload_url(contact), "notice.eml", payload).status_code == 302
    document = Document.objects.get()
    assert keys(s3, bucket) == [f"documents/{document.uid}"]

    with django_capture_on_commit_callbacks(execute=True):
        assert scan_waiting_documents.apply().get() == 1
    document.refresh_from_db()
    assert document.scan_state == ScanState.INFECTED and document.quarantined
    assert document.file.name == f"quarantine/{document.uid}"
    assert keys(s3, bucket) == [f"quarantine/{document.uid}"]  # the documents/ object is gone
    assert body(s3, bucket, f"quarantine/{document.uid}") == payload  # kept for investigation
    assert stored_files(media) == []
    assert OutboxEmail.objects.filter(purpose="document.quarantined").count() == 1
    response = client.get(download_url(document))
    assert response.status_code == 404 and not hasattr(response, "streaming_content")


def test_an_object_missing_from_the_bucket_is_an_error_not_a_crash(
    scanner, bucket, s3, client_for, hub_worker
):
    contact = make_contact()
    document = services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    s3.delete_object(Bucket=bucket, Key=document.file.name)
    assert services.document_scan(document.pk) == ScanState.ERROR
    document.refresh_from_db()
    assert document.scan_result == "The stored file is missing"


def test_a_clean_document_whose_object_went_is_a_404(scanner, bucket, s3, client_for, hub_worker):
    contact = make_contact()
    document = services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    assert services.document_scan(document.pk) == ScanState.CLEAN
    s3.delete_object(Bucket=bucket, Key=document.file.name)
    assert client_for(hub_worker).get(download_url(document)).status_code == 404
    assert not AuditEvent.objects.filter(name="document.downloaded").exists()


def test_deleting_the_record_deletes_its_objects(
    bucket, s3, hub_worker, django_capture_on_commit_callbacks
):
    contact = make_contact()
    services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    assert len(keys(s3, bucket)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        contact.delete()
    assert keys(s3, bucket) == []


# --- Failed uploads leave nothing in the bucket -------------------------------------------------


def test_a_refused_form_token_stores_nothing(bucket, s3, client_for, hub_worker):
    contact = make_contact()
    client = client_for(hub_worker)
    for token in ({}, submission_token(hub_worker, "marf"), {"submission_token": "forged"}):
        response = client.post(
            upload_url(contact), {"file": SimpleUploadedFile("a.pdf", PDF), **token}
        )
        assert response.status_code == 400 and "nothing was saved" in response.content.decode()
    assert Document.objects.count() == 0 and keys(s3, bucket) == []


def test_a_failure_after_the_file_is_written_leaves_no_object(
    bucket, s3, client_for, hub_worker, monkeypatch
):
    """The page's upload: the object is written, then the form's transaction fails."""
    contact = make_contact()
    written = []

    def fails(self, url):
        written.extend(keys(s3, bucket))
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Submission, "produced", fails)
    with pytest.raises(RuntimeError):
        upload(client_for(hub_worker), hub_worker, upload_url(contact), "a.pdf", PDF)
    assert len(written) == 1 and written[0].startswith("documents/")  # it had been written
    assert Document.objects.count() == 0 and keys(s3, bucket) == []


def test_a_row_that_fails_or_rolls_back_leaves_no_object(bucket, s3, hub_worker, monkeypatch):
    contact = make_contact()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        services.document_upload(
            record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
        )
    assert keys(s3, bucket) == []
    monkeypatch.undo()

    with services.files_follow_rows(), transaction.atomic():
        services.document_upload(
            record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
        )
        assert len(keys(s3, bucket)) == 1
        transaction.set_rollback(True)
    assert Document.objects.count() == 0 and keys(s3, bucket) == []


def test_a_double_post_is_one_object(bucket, s3, client_for, hub_worker):
    contact = make_contact()
    client = client_for(hub_worker)
    token = submission_token(hub_worker, "document")
    for _ in range(2):
        response = client.post(
            upload_url(contact), {"file": SimpleUploadedFile("a.pdf", PDF), **token}
        )
        assert response.status_code == 302
    assert keys(s3, bucket) == [f"documents/{Document.objects.get().uid}"]


def test_the_backup_says_a_bucket_is_backed_up_by_its_own_means(bucket, capsys):
    from scripts.backup_restore import default_media_root

    assert default_media_root() is None
    assert "back that store up by its own means" in capsys.readouterr().out


# --- Settings: MASH_S3_* build the default storage ------------------------------------------

S3_VARIABLES = {
    "MASH_S3_BUCKET": "mash-documents",
    "MASH_S3_ENDPOINT_URL": "https://objects.example.org:9000",
    "MASH_S3_REGION": REGION,
    "MASH_S3_ACCESS_KEY_ID": ACCESS_KEY,
    "MASH_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    "MASH_S3_ADDRESSING_STYLE": "",
    "MASH_S3_SERVER_SIDE_ENCRYPTION": "aws:kms",
}
#: Loads the settings as the app does and prints STORAGES and the default storage's class.
PRINT_STORAGES = (
    "import json, django; django.setup(); from django.conf import settings; "
    "from django.core.files.storage import default_storage; default_storage._setup(); "
    "print(json.dumps({'STORAGES': settings.STORAGES, "
    "'default': type(default_storage._wrapped).__name__}))"
)


def storages_with(**variables: str) -> dict:
    env = production_env(**{**dict.fromkeys(S3_VARIABLES, ""), **variables})
    result = run_python(["-c", PRINT_STORAGES], env)
    assert result.returncode == 0, result.stderr
    return json.loads(last_line(result.stdout))


def test_production_settings_with_a_bucket_build_an_s3_default_storage():
    printed = storages_with(**S3_VARIABLES)
    assert printed["default"] == "S3Storage"
    assert printed["STORAGES"] == {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "mash-documents",
                "endpoint_url": "https://objects.example.org:9000",
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "object_parameters": {
                    "ContentType": "application/octet-stream",
                    "ContentDisposition": "attachment",
                    "ServerSideEncryption": "aws:kms",
                },
            },
        },
        # Static files are unchanged: whitenoise serves them from the image.
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def test_on_aws_with_an_instance_role_only_the_bucket_is_needed():
    printed = storages_with(MASH_S3_BUCKET="mash-documents")
    options = printed["STORAGES"]["default"]["OPTIONS"]
    assert options["bucket_name"] == "mash-documents"
    # No keys: boto3's own chain (AWS_* variables, an instance or task role); boto3 picks the
    # addressing style; no encryption asked for (the bucket's default applies).
    assert not {"access_key", "secret_key", "endpoint_url", "addressing_style"} & set(options)
    assert options["object_parameters"] == {
        "ContentType": "application/octet-stream",
        "ContentDisposition": "attachment",
    }


def test_without_a_bucket_files_stay_in_the_media_folder():
    printed = storages_with()
    assert printed["default"] == "FileSystemStorage"
    assert printed["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_local_settings_read_the_same_variables():
    env = production_env(
        DJANGO_SETTINGS_MODULE="mash.settings.local",
        **{**dict.fromkeys(S3_VARIABLES, ""), "MASH_S3_BUCKET": "mash-local"},
    )
    result = run_python(["-c", PRINT_STORAGES], env)
    assert result.returncode == 0, result.stderr
    printed = json.loads(last_line(result.stdout))
    assert printed["default"] == "S3Storage"
    assert printed["STORAGES"]["default"]["OPTIONS"]["bucket_name"] == "mash-local"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"MASH_S3_ENDPOINT_URL": "http://minio:9000"}, "MASH_S3_BUCKET"),
        ({"MASH_S3_BUCKET": "b", "MASH_S3_ACCESS_KEY_ID": "k"}, "MASH_S3_SECRET_ACCESS_KEY"),
        ({"MASH_S3_BUCKET": "b", "MASH_S3_SECRET_ACCESS_KEY": "s"}, "MASH_S3_ACCESS_KEY_ID"),
        ({"MASH_S3_BUCKET": "b", "MASH_S3_SERVER_SIDE_ENCRYPTION": "yes"}, "ENCRYPTION"),
        ({"MASH_S3_BUCKET": "b", "MASH_S3_ADDRESSING_STYLE": "dns"}, "ADDRESSING_STYLE"),
    ],
    ids=["no-bucket", "no-secret", "no-key-id", "bad-encryption", "bad-style"],
)
def test_half_set_or_unknown_values_stop_start_up_naming_the_variable(variables, named):
    env = production_env(**{**dict.fromkeys(S3_VARIABLES, ""), **variables})
    result = run_python(["manage.py", "check"], env)
    assert result.returncode != 0
    message = last_line(result.stderr)
    assert "ImproperlyConfigured" in message and named in message


def test_check_deploy_passes_with_a_bucket():
    env = production_env(**S3_VARIABLES)
    result = run_python(["manage.py", "check", "--deploy"], env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output and "WARNINGS" not in output


def test_settings_never_hold_the_s3_keys_outside_the_storage_options():
    env = production_env(**S3_VARIABLES)
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "names = [n for n in dir(settings) if n.isupper() and n != 'STORAGES' "
        f"and {SECRET_KEY!r} in repr(getattr(settings, n))]; print(names)"
    )
    result = run_python(["-c", probe], env)
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout) == "[]"


def test_the_storage_options_are_hidden_on_error_reports(settings, bucket):
    from django.views.debug import SafeExceptionReporterFilter

    cleansed = SafeExceptionReporterFilter().get_safe_settings()["STORAGES"]["default"]
    assert cleansed["OPTIONS"]["secret_key"] != SECRET_KEY
    assert cleansed["OPTIONS"]["access_key"] != ACCESS_KEY
    assert cleansed["OPTIONS"]["bucket_name"] == bucket


def test_a_store_that_cannot_be_reached_is_a_503_saying_so_not_a_crash(
    scanner, bucket, s3, settings, client_for, api_for, hub_worker
):
    """The bucket's endpoint goes away (a port nothing listens on): the download page and the
    API answer 503 saying the file store cannot be reached, nothing is audited as downloaded."""
    contact = make_contact()
    document = services.document_upload(
        record=contact, upload=SimpleUploadedFile("a.pdf", PDF), uploaded_by=hub_worker
    )
    assert services.document_scan(document.pk) == ScanState.CLEAN
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    options = {**settings.STORAGES["default"]["OPTIONS"], "endpoint_url": dead}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": options},
    }
    page = client_for(hub_worker).get(download_url(document))
    assert page.status_code == 503
    assert "file store cannot be reached" in page.content.decode()
    api = api_for(hub_worker).get(f"/api/v1/documents/{document.pk}/download/")
    assert api.status_code == 503 and "file store cannot be reached" in api.json()["detail"]
    assert not AuditEvent.objects.filter(name="document.downloaded").exists()
