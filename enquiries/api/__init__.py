"""MASH enquiries' REST API: the hub's enquiries and requests, and each agency's own requests."""

from .agency import InformationRequestViewSet
from .enquiries import EnquiryViewSet
from .hub_requests import EnquiryInformationRequestViewSet

__all__ = ["EnquiryInformationRequestViewSet", "EnquiryViewSet", "InformationRequestViewSet"]
