"""Sign-in events go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from mash.net import client_ip

from .events import record_event


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    record_event(
        "auth.signed_in",
        actor=user,
        target=user,
        remote_addr=client_ip(request) if request else None,
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(
            "auth.signed_out",
            actor=user,
            target=user,
            remote_addr=client_ip(request) if request else None,
        )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    record_event(
        "auth.sign_in_failed",
        data={"username": str(credentials.get("username", ""))[:150]},
        remote_addr=client_ip(request) if request else None,
    )
