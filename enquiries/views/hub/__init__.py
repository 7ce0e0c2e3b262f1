"""The hub's side of MASH enquiries: the queue, the enquiry's section pages (overview, people,
requests and returns, notes and documents, history, decision) with their forms, the summary.

Hub roles only: anyone else gets 404 on every page here, as for a record outside their view.
"""

from .pages import (
    enquiry_decision,
    enquiry_detail,
    enquiry_history,
    enquiry_list,
    enquiry_notes,
    enquiry_people,
    enquiry_requests,
    enquiry_summary,
)
from .steps import (
    add_person,
    change_rag,
    decide,
    recommend,
    remove_person,
    request_information,
    withdraw_request,
)

__all__ = [
    "add_person",
    "remove_person",
    "change_rag",
    "decide",
    "enquiry_decision",
    "enquiry_detail",
    "enquiry_history",
    "enquiry_notes",
    "enquiry_people",
    "enquiry_requests",
    "enquiry_list",
    "enquiry_summary",
    "recommend",
    "request_information",
    "withdraw_request",
]
