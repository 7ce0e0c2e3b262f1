"""Every write of MASH enquiries, information requests and returns."""

from .enquiries import (
    FINAL_WORD_PURPOSE,
    enquiry_add_contact,
    enquiry_change_rag,
    enquiry_decide,
    enquiry_for_decision,
    enquiry_open,
    enquiry_recommend,
    final_word_mark_sent,
    open_enquiries_of_subjects,
)
from .people import enquiry_add_person, enquiry_remove_person
from .requests import (
    ReturnInput,
    request_assign,
    request_create,
    request_withdraw,
    return_submit,
)

__all__ = [
    "FINAL_WORD_PURPOSE",
    "enquiry_add_contact",
    "enquiry_add_person",
    "enquiry_remove_person",
    "enquiry_for_decision",
    "final_word_mark_sent",
    "open_enquiries_of_subjects",
    "ReturnInput",
    "enquiry_change_rag",
    "enquiry_decide",
    "enquiry_open",
    "enquiry_recommend",
    "request_assign",
    "request_create",
    "request_withdraw",
    "return_submit",
]
