"""Writes of the interoperability node; names re-exported from one module per responsibility."""

from etam.interop.services.agreements import (
    agreement_decide,
    agreement_request,
    agreement_revoke,
    consumer_key_issue,
    consumer_key_revoke,
    consumer_register,
)
from etam.interop.services.catalogue import host_register, service_register, service_update
from etam.interop.services.gateway import GatewayAnswer, forward
from etam.interop.services.national import DirectorySync, employee_directory_sync, service_publish_to_splp

__all__ = [
    "DirectorySync",
    "GatewayAnswer",
    "agreement_decide",
    "agreement_request",
    "agreement_revoke",
    "consumer_key_issue",
    "consumer_key_revoke",
    "consumer_register",
    "employee_directory_sync",
    "forward",
    "host_register",
    "service_publish_to_splp",
    "service_register",
    "service_update",
]
