from .enquiries import (
    Enquiry,
    EnquiryContact,
    EnquiryContactHow,
    EnquiryPerson,
    EnquiryState,
    RagChange,
)
from .requests import (
    HandlingMarking,
    InformationRequest,
    InformationRequestGroupObjectPermission,
    InformationRequestUserObjectPermission,
    InformationReturn,
    RequestState,
)

__all__ = [
    "Enquiry",
    "EnquiryContact",
    "EnquiryContactHow",
    "EnquiryPerson",
    "EnquiryState",
    "HandlingMarking",
    "InformationRequest",
    "InformationRequestGroupObjectPermission",
    "InformationRequestUserObjectPermission",
    "InformationReturn",
    "RagChange",
    "RequestState",
]
