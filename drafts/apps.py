from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "drafts"
    verbose_name = "Drafts"
    # Not registered with django-auditlog: a draft holds children's names and what was said
    # about them, and only its owner may read it. Saving and deleting one are named events
    # (draft.saved, draft.deleted) carrying ids only (drafts/services.py).
