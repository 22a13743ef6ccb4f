"""Settings for bench/eservices_bench.py: the real settings plus one baseline endpoint."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.eservices_urls"
DEBUG = False
API_RATE_LIMIT = ""
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
