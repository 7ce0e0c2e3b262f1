"""Every write of MASH enquiries, information requests and returns."""

from .enquiries import enquiry_change_rag, enquiry_decide, enquiry_open, enquiry_recommend
from .requests import (
    ReturnInput,
    request_assign,
    request_create,
    request_withdraw,
    return_submit,
)

__all__ = [
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
