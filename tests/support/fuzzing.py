"""Running schemathesis cases against a server from a test: the hypothesis settings every
conformance test shares, and the statuses seen (to show the real ids got past the 404s)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


def run_examples(strategies: Sequence[Any], *, base_url: str, session: requests.Session,
                 headers: dict[str, str], checks: Sequence[Callable[..., Any]], max_examples: int) -> list[int]:
    """Call ``max_examples`` cases drawn from ``strategies`` (derandomized: the same cases every
    run), validate each response with ``checks``, and return the statuses seen."""
    statuses: list[int] = []

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(list(strategies)))
    def run(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        statuses.append(response.status_code)
        case.validate_response(response, checks=list(checks), headers=headers)

    run()
    return statuses
