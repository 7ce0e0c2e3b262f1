from .enquiries import Enquiry, EnquiryPerson, EnquiryState, RagChange
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
