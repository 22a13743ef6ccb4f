"""Satu Data permissions and which roles hold them (registered from ``OpendataConfig.ready``).

- produsen data (OPD-scoped): draft datasets and versions, upload, submit; sees the
  unpublished and restricted datasets of its own OPD.
- walidata (instansi-scoped): reviews, returns with comments, publishes; sees every
  unpublished and restricted dataset of its instansi.
"""

from etam.core.models import Role

DRAFT = "opendata.draft"
REVIEW = "opendata.review"
VIEW_UNPUBLISHED = "opendata.view_unpublished"
VIEW_RESTRICTED = "opendata.view_restricted"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.DATA_PRODUCER: {DRAFT, VIEW_UNPUBLISHED, VIEW_RESTRICTED},
    Role.DATA_STEWARD: {REVIEW, VIEW_UNPUBLISHED, VIEW_RESTRICTED},
}
