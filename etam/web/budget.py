"""Public pages with URL parameters, contributed by the modules for the page budget test.

The budget test (tests/web/test_page_budget.py) finds every parameterless public URL on
its own. A page such as ``/layanan/<slug>/`` cannot be discovered that way, so the module
registers a sample from its ``AppConfig.ready``::

    from etam.web.budget import register_public_sample

    def sample_pages():
        service = selectors.sample_published_service() or make_demo_service()
        return [reverse("eservices:service_detail", args=[service.slug])]

    register_public_sample(sample_pages)

The callable runs inside the test's database transaction (with the shared ``province``
fixture loaded), may create the rows it needs, and returns the paths to fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

PublicSample = Callable[[], Iterable[str]]

_SAMPLES: list[PublicSample] = []


def register_public_sample(sample: PublicSample) -> None:
    if sample not in _SAMPLES:
        _SAMPLES.append(sample)


def unregister_public_sample(sample: PublicSample) -> None:
    if sample in _SAMPLES:
        _SAMPLES.remove(sample)


def public_samples() -> list[PublicSample]:
    return list(_SAMPLES)
