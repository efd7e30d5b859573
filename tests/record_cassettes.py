"""Re-record tests/cassettes/ (see tests/cassettes/README.md).

    python tests/record_cassettes.py                      # every scenario, against the fake server
    python tests/record_cassettes.py injection adapt_clause
    OPENAI_API_KEY=... python tests/record_cassettes.py --provider env --record-mode once review_normal

With --provider env the scenario talks to whatever the environment configures (OPENAI_API_KEY,
MOU_REVIEW_LLM_BASE_URL, MOU_REVIEW_LLM_MODEL); scripted failures (429, 500, malformed JSON, a
fabricated quote) only exist on the fake server, so record those with the default provider.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from fake_openai_server import FakeOpenAI
from llm_scenarios import CASSETTES, SCENARIOS, cassette, llm_settings


def record(name: str, provider: str, record_mode: str, log: Path | None = None) -> None:
    scenario = SCENARIOS[name]
    path = CASSETTES / f"{name}.yaml"
    if record_mode == "all" and path.exists():
        path.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        # an existing audit log is only written to: the cassette needs every request to go out
        cache = log or Path(tmp) / "cache.sqlite"
        if provider == "fake":
            fake = FakeOpenAI(scenario.steps)
            with fake as base_url, cassette(name, record_mode):
                scenario.run(llm_settings(base_url, cache, **scenario.overrides))
            print(f"{name}: {len(fake.requests)} request(s) -> {path.relative_to(Path.cwd())}")
        else:
            from mou_review.config import Settings

            env = Settings()
            # a scenario that names its model (the local one) keeps it, so the replay matches
            overrides = {
                "llm_model": env.llm.model,
                "llm_api_key": env.llm.api_key,
                "llm_timeout": env.llm.timeout,  # a local model on a busy machine needs minutes per call
                **scenario.overrides,
            }
            with cassette(name, record_mode):
                scenario.run(llm_settings(env.llm.base_url, cache, **overrides))
            print(f"{name}: recorded against {env.llm.base_url or 'the OpenAI API'} -> {path}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help=f"default: all of {', '.join(SCENARIOS)}")
    parser.add_argument("--provider", choices=["fake", "env"], default="fake")
    parser.add_argument("--record-mode", choices=["all", "once", "new_episodes"], default="all")
    parser.add_argument(
        "--log", type=Path, help="also write the calls to this audit log (e.g. the harness's)"
    )
    args = parser.parse_args()
    if args.log is not None:
        from mou_review.reviewers.llm_log import CallLog

        CallLog.lookup = lambda self, key: None  # type: ignore[method-assign]  # record: never replay
    for name in args.scenarios or list(SCENARIOS):
        record(name, args.provider, args.record_mode, args.log)


if __name__ == "__main__":
    main()
