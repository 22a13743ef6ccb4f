"""pytest plugin loaded with ``-p etam_pytest_mode`` (pyproject addopts).

It sets ``ETAM_MODE=test`` before pytest-django imports the settings (which happens
before any conftest.py runs), so every way of starting pytest gets test mode: the fast
password hasher, no API rate limit, no demo passwords.
"""

import os

os.environ["ETAM_MODE"] = "test"
