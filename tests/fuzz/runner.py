"""Run schemathesis in-process against Etam's WSGI app and count failures per check.

Used by ``tests/fuzz/test_api_fuzz.py`` (``make fuzz-ci`` in CI, ``make fuzz`` for a
longer run). No server is started: schemathesis calls the WSGI application directly.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.engine import events, from_schema

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance", "content_type_conformance")

# Examples per operation and phase. CI keeps the whole fuzz step to a few minutes on two
# cores; ``make fuzz`` sets ETAM_FUZZ_EXAMPLES higher.
CI_EXAMPLES = 5


def max_examples() -> int:
    return int(os.environ.get("ETAM_FUZZ_EXAMPLES", CI_EXAMPLES))


@dataclass
class Result:
    label: str
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    # check name -> number of distinct failures (operation + failure title)
    per_check: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = ", ".join(f"{name} {self.per_check.get(name, 0)}" for name in CHECKS)
        return (
            f"{self.label}: {self.operations} operations, {self.requests} requests, "
            f"{self.seconds:.1f} s; failures: {counts}; errors {len(self.errors)}"
        )

    def details(self) -> str:
        lines = [self.summary()]
        for name, items in sorted(self.failures.items()):
            lines += [f"  [{name}] {item}" for item in items]
        lines += [f"  [error] {e}" for e in self.errors]
        return "\n".join(lines)


def config(
    headers: dict[str, str] | None = None, *, examples: int | None = None, coverage: bool = True
) -> schemathesis.Config:
    n = examples or max_examples()
    return schemathesis.Config.from_dict(
        {
            "workers": 1,
            "continue-on-failure": True,
            "seed": int(os.environ.get("ETAM_FUZZ_SEED", "20261203")),
            # Ask for uncompressed answers: the WSGI test client does not undo GZipMiddleware.
            "headers": {"Accept-Encoding": "identity", **(headers or {})},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": coverage},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "generation": {"mode": "all", "max-examples": n, "deterministic": False, "database": "none"},
            "suppress-health-check": ["all"],
            "warnings": False,
        }
    )


def run(
    app: Any,
    schema_path: str,
    label: str,
    headers: dict[str, str] | None = None,
    *,
    examples: int | None = None,
    coverage: bool = True,
) -> Result:
    schema = schemathesis.openapi.from_wsgi(
        schema_path, app, config=config(headers, examples=examples, coverage=coverage)
    )
    result = Result(label=label)
    seen: set[tuple[str, str, str]] = set()
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            result.requests += len(event.recorder.interactions)
            for checks in event.recorder.checks.values():
                for check in checks:
                    info = check.failure_info
                    if info is None:
                        continue
                    failure = info.failure
                    key = (check.name, event.recorder.label, failure.title)
                    if key in seen:
                        continue
                    seen.add(key)
                    result.per_check[check.name] += 1
                    step = info.code_sample.strip().splitlines()
                    result.failures[check.name].append(
                        f"{event.recorder.label}: {failure.title}; {step[-1] if step else ''}"[:600]
                    )
        elif isinstance(event, events.NonFatalError):
            result.errors.append(f"{event.label}: {event.info.title}: {event.info.message}"[:600])
        elif isinstance(event, events.FatalError):
            result.errors.append(f"fatal: {event.exception!r}")
    result.seconds = time.perf_counter() - started
    result.operations = len(list(schema.get_all_operations()))
    return result
