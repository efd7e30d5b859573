"""A scripted OpenAI-compatible chat server on loopback, used only to record the test cassettes.

It answers POST /v1/chat/completions the way a real server would in shape (JSON content for
response_format requests, a tool call for tool requests, a `usage` block) with answers that a
script decides: a deterministic "judge" that quotes the first fenced clause, per-requirement
overrides (a fabricated quote, a chosen status), malformed JSON, or HTTP errors (429, 500).
Prompt tokens are counted with the real o200k_base tokenizer (bpe-openai ships it offline), so
token counts in the cassettes measure the prompts as built, even though the answers are scripted.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FENCE = re.compile(r"<<<MOU_TEXT\n(.*?)\nMOU_TEXT>>>", re.S)
CLAUSE_LABEL = re.compile(r"^\[clause \d+ \| page \d+[^\]]*\]$", re.M)
REQUIREMENT_ID = re.compile(r"^- requirement_id: (\S+)$", re.M)


def count_tokens(text: str) -> int:
    """o200k_base tokens (the gpt-4o family's tokenizer); a word count if bpe-openai is missing."""
    try:
        import bpe_openai

        return len(bpe_openai.get_encoding("o200k_base").encode(text))
    except ImportError:  # pragma: no cover - the dev extra installs it
        return len(re.findall(r"\w+|[^\w\s]", text))


@dataclass
class Step:
    """One scripted reply: `judge` (answer from the prompt), `malformed`, or an HTTP error status."""

    kind: str = "judge"
    status: int = 200
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


def first_sentence(text: str) -> str:
    """The first sentence long enough to be a quote (a bare "A." list marker is not one)."""
    pieces = re.split(r"(?<=[.;])\s+(?=[A-Z(])", text.strip())
    return next((p for p in pieces if len(p) >= 20), text.strip())[:300]


def judge(user: str, overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The scripted model: `present`, quoting the first fenced clause, unless told otherwise."""
    fenced = FENCE.search(user)
    bodies = [b.strip() for b in CLAUSE_LABEL.split(fenced.group(1))[1:]] if fenced else []
    quote = first_sentence(bodies[0]) if bodies else ""
    verdicts = []
    for rid in REQUIREMENT_ID.findall(user):
        verdict = {
            "requirement_id": rid,
            "status": "present" if quote else "missing",
            "issues": [],
            "quotes": [quote] if quote else [],
            "rationale": "scripted answer: the first clause shown addresses it",
        }
        override = dict(overrides.get(rid, {}))
        verdict["quotes"] = [*override.pop("quotes", verdict["quotes"]), *override.pop("add_quotes", [])]
        verdict.update(override)
        verdicts.append(verdict)
    return {"verdicts": verdicts}


def adapt(user: str) -> dict[str, Any]:
    """The scripted model adapting a clause: the agreement's defined name for the district."""
    clause = user.split("Model clause:\n", 1)[1].split("\n\nExcerpt", 1)[0].strip()
    named = re.search(r'\(the "(\w+)"\)', user.split("<<<MOU_TEXT", 1)[1])
    return {"clause": clause.replace("the school district", f"the {named.group(1)}") if named else clause}


class FakeOpenAI:
    """`with FakeOpenAI(steps) as base_url:` serves the steps in order (the last one repeats)."""

    def __init__(self, steps: list[Step], model: str = "gpt-4o-mini") -> None:
        self.steps = steps
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    def __enter__(self) -> str:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            index = len(self.requests) - 1
        return self.steps[min(index, len(self.steps) - 1)]

    def reply(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        step = self._next_step(body)
        if step.status != 200:
            message = "Rate limit reached" if step.status == 429 else "The server had an error"
            return step.status, {"error": {"message": message, "type": "server_error", "code": None}}
        messages = body["messages"]
        user = next(m["content"] for m in messages if m["role"] == "user")
        answer = adapt(user) if "Model clause:" in user else judge(user, step.overrides)
        text = json.dumps(answer)
        if step.kind == "malformed":
            text = "Sure! Here is my verdict: {verdicts: [present, " + text[:40]
        message: dict[str, Any] = {"role": "assistant", "content": text}
        finish = "stop"
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            call = {"id": "call_0", "type": "function", "function": {"name": name, "arguments": text}}
            message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
        schema = json.dumps(body.get("response_format") or body.get("tools") or "")
        prompt_tokens = sum(count_tokens(str(m.get("content") or "")) for m in messages)
        prompt_tokens += count_tokens(schema) + 3 * len(messages)
        completion_tokens = count_tokens(text)
        return 200, {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def _handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    status, payload = 404, {"error": {"message": f"no route {self.path}"}}
                else:
                    status, payload = fake.reply(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
