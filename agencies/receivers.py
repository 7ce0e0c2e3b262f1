from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .models import SignedInSession


@receiver(user_logged_in, dispatch_uid="remember_session")
def _remember_session(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


@receiver(user_logged_out, dispatch_uid="forget_session")
def _forget_session(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            SignedInSession.objects.filter(session_key=key).delete()
