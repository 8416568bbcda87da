"""First paint of the nnprep home screen vs a one-widget Textual app, each in a fresh process in a terminal.

By default each run is a new window of a private 80x24 tmux session, as a person using tmux sees it (``--terminal
pty``: a bare pseudo-terminal). Each child runs a real terminal driver and exits on Textual's ``Ready`` event (sent
once the first frame has been painted). The time is the wall clock from spawning the child to its exit: interpreter
start, imports, compose and the first paint — what a person waits for. Runs alternate between the two apps so
machine load hits both alike. Target: nnprep's median within 1.5x the baseline's.

    python -m bench.first_paint [--runs N] [--terminal tmux|pty]
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import threading
from pathlib import Path

from bench.common import ROOT, interleaved_medians, table

TARGET_RATIO = 1.5

BASELINE = """
import json, sys
from textual.app import App
from textual.widgets import Static

class OneWidget(App[None]):
    def compose(self):
        yield Static("hello")

    def on_ready(self) -> None:
        self.exit()

OneWidget().run()
json.dump({"numpy": "numpy" in sys.modules}, open(sys.argv[1], "w"))
"""

NNPREP = """
import json, sys
from quiz.app import NnprepApp

class FirstPaint(NnprepApp):
    def on_ready(self) -> None:
        self.exit()

FirstPaint().run()
json.dump({"numpy": "numpy" in sys.modules, "engine": "engine.grader" in sys.modules,
           "bank": "questions.loader" in sys.modules}, open(sys.argv[1], "w"))
"""


def run_on_pty(code: str, out: Path, cols: int = 80, rows: int = 24) -> None:
    """Run ``python -c code out`` with a pty as its terminal; wait for it to exit."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows),
           "NNPREP_DB": str(out.with_suffix(".db")), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code, str(out)], stdin=slave, stdout=slave, stderr=slave,
                             env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)

    captured: list[bytes] = []

    def drain() -> None:
        try:
            while chunk := os.read(master, 65536):
                captured.append(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        status = child.wait(timeout=60)
    finally:
        os.close(master)
    if status != 0:
        tail = b"".join(captured)[-1500:].decode(errors="replace")
        raise RuntimeError(f"first-paint child exited {status}: {tail}")


class Tmux:
    """A private tmux server (its own socket) with an 80x24 session; each run is a new window in it, as a person
    starting nnprep in tmux would see it. The time is from asking tmux for the window to the app's exit."""

    def __init__(self, tmp: Path, cols: int = 80, rows: int = 24) -> None:
        self.tmp = tmp
        self.socket = f"nnprep-bench-{os.getpid()}"
        self.cols, self.rows = cols, rows
        self._tmux("new-session", "-d", "-x", str(cols), "-y", str(rows), "-s", "bench", "sleep 3600")

    def _tmux(self, *args: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, timeout=120)

    def run(self, code: str, out: Path) -> None:
        script = self.tmp / f"{out.stem}.py"
        script.write_text(code)
        env = f"NNPREP_DB={out.with_suffix('.db')} PYTHONPATH={ROOT} TERM=xterm-256color"
        command = (f"cd {ROOT} && env {env} {sys.executable} {script} {out}; "
                   f"tmux -L {self.socket} wait-for -S {out.stem}")
        self._tmux("new-window", "-t", "bench", command)
        self._tmux("wait-for", out.stem)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each app (default 15)")
    parser.add_argument("--terminal", choices=("tmux", "pty"), default="tmux" if shutil.which("tmux") else "pty",
                        help="run each app in a new tmux window (default when tmux is installed) or on a bare pty")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base_out, app_out = Path(tmp) / "baseline.json", Path(tmp) / "nnprep.json"
        tmux = Tmux(Path(tmp)) if args.terminal == "tmux" else None
        run = tmux.run if tmux is not None else run_on_pty
        try:
            medians = interleaved_medians(
                {
                    "one-widget Textual app": lambda: run(BASELINE, base_out),
                    "nnprep home screen": lambda: run(NNPREP, app_out),
                },
                repeat=args.runs,
                warmup=2,
            )
        finally:
            if tmux is not None:
                tmux.close()
        loaded = json.loads(app_out.read_text())
    base, ours = medians["one-widget Textual app"], medians["nnprep home screen"]
    ratio = ours / base
    print(table(
        f"First paint at 80x24 in {args.terminal} (median of {args.runs} runs, process spawn to first frame)",
        [
            ("one-widget Textual app", f"{1000 * base:.0f} ms"),
            ("nnprep home screen", f"{1000 * ours:.0f} ms"),
            ("ratio", f"{ratio:.2f}x (target <= {TARGET_RATIO}x) {'OK' if ratio <= TARGET_RATIO else 'TOO SLOW'}"),
            ("imported before first paint", ", ".join(k for k, v in loaded.items() if v) or "no numpy/engine/bank"),
        ],
    ))
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
