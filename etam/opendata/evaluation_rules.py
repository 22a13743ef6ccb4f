"""Old path of the seam to the SPBE evaluation; it lives in ``etam.opendata.feeds`` (the
same place as every app's seams)."""

from etam.opendata.feeds import OPEN_DATA_SERVICE, register_with_evaluation, suggest_open_data_service

__all__ = ["OPEN_DATA_SERVICE", "register_with_evaluation", "suggest_open_data_service"]
