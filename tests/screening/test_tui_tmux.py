"""`review screen` in a real terminal: tmux send-keys and capture-pane (skipped without tmux).

On a copy of the example review: screen 20 records, undo twice, quit, restart,
a second `review screen` refused by the lock, kill -9 in the middle, resume;
the decision files and the screen are checked after each step.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from review.screening.decisions import log_path
from review.screening.works import load_record_set

from .conftest import copy_example

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

# `review screen` as the console script runs it; until review/commands wires the screening
# commands in, the same command is registered on the real app here.
LAUNCHER = """\
import os, sys
open(sys.argv.pop(1), "w").write(str(os.getpid()))
from review import cli
if "screen" not in {g.name for g in cli.app.registered_groups}:
    from review.screening.command import register
    register(cli.app)
sys.argv[0] = "review"
cli.main()
"""


class Tmux:
    def __init__(self, tmp: Path, width: int = 80, height: int = 24):
        self.name = f"review-test-{os.getpid()}-{width}"
        self.tmp = tmp
        self.socket = str(tmp / "tmux.sock")
        self.width, self.height = width, height
        (tmp / "bin").mkdir(exist_ok=True)
        self.launcher = tmp / "bin" / "launch.py"  # not beside the review folder, which is named "review"
        self.launcher.write_text(LAUNCHER)
        self.runs = 0

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def start(self, root: Path, *args: str) -> Path:
        """Run `review screen ARGS` in a fresh window; returns the file its pid goes to."""
        self.runs += 1
        pidfile = self.tmp / f"pid{self.runs}"
        env = f"TERM=xterm-256color PYTHONPATH={Path(__file__).resolve().parents[2]}"
        cmd = (f"cd {root} && stty -g > {self.tmp}/stty-before{self.runs}; "
               f"env {env} {sys.executable} {self.launcher} {pidfile} screen {' '.join(args)}; "
               f"echo $? > {self.tmp}/rc{self.runs}; stty -g > {self.tmp}/stty-after{self.runs}; sleep 600")
        if self.runs == 1:
            self.tmux("new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height), cmd)
        else:
            self.tmux("respawn-pane", "-k", "-t", self.name, cmd)
        return pidfile

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.name)

    def wait_for(self, *texts: str, timeout: float = 15) -> str:
        """The screen once every text is on it (a screen is drawn in pieces: wait for the last)."""
        end = time.time() + timeout
        while time.time() < end:
            shown = self.screen()
            if all(t in shown for t in texts):
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{texts!r} never appeared; the screen:\n{self.screen()}")

    def exit_code(self, timeout: float = 15) -> int:
        """The exit code of the latest run, once it has ended and the terminal state is saved."""
        rc, after = self.tmp / f"rc{self.runs}", self.tmp / f"stty-after{self.runs}"
        end = time.time() + timeout
        while time.time() < end:
            if rc.is_file() and after.is_file() and after.read_text().strip():
                return int(rc.read_text())
            time.sleep(0.05)
        raise AssertionError(f"`review screen` did not end; the screen:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", "".join(keys))

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    t = Tmux(tmp_path)
    yield t
    t.close()


def decided(root: Path) -> list[list[str]]:
    text = log_path(root, "title-abstract", "ana").read_text()
    return [line.split(",")[:2] for line in text.splitlines()[1:]]


def test_screen_undo_quit_restart_lock_kill_resume(tmp_path, tmux):
    root = copy_example(tmp_path / "review", decisions=False)
    ids = load_record_set(root).ids
    titles = {w.id: w.title for w in load_record_set(root).works}
    tmux.start(root, "--reviewer", "ana", "--order", "file")
    first = tmux.wait_for("0/128 done", "record 1 of 128", titles[ids[0]][:40], " i  include", " ?  help")
    assert first  # the record, the progress and the keys are on the screen

    # 20 decisions, each on screen before the next key goes in
    keys = "iem" * 6 + "ie"
    for n, k in enumerate(keys, start=1):
        tmux.keys(k)
        tmux.wait_for(f"{n}/128 done")
    assert len(decided(root)) == 20
    tmux.keys("u")
    tmux.wait_for("19/128 done")
    tmux.keys("u")
    tmux.wait_for("18/128 done", f"undone: {ids[18]} is undecided again", "record 19 of 128", titles[ids[18]][:40])
    assert decided(root)[20:] == [[ids[19], "undo"], [ids[18], "undo"]]

    tmux.keys("q")
    assert tmux.exit_code() == 0
    assert (tmp_path / "stty-before1").read_text() == (tmp_path / "stty-after1").read_text()  # terminal restored

    # restart: the same place
    pidfile = tmux.start(root, "--reviewer", "ana", "--order", "file")
    tmux.wait_for("18/128 done", "record 19 of 128", titles[ids[18]][:40])

    # a second session for the same reviewer and stage is refused, in one line, exit 2
    second = subprocess.run([sys.executable, str(tmux.launcher), str(tmp_path / "pid-other"), "screen", "--reviewer", "ana", "--order", "file"],
                            cwd=root, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1 and "already running" in second.stderr
    assert len(decided(root)) == 22

    # five more, then kill -9 while the screen is up
    for n in range(19, 24):
        tmux.keys("e")
        tmux.wait_for(f"{n}/128 done")
    os.kill(int(pidfile.read_text()), signal.SIGKILL)
    assert tmux.exit_code() == 128 + signal.SIGKILL
    assert len(decided(root)) == 27

    # resume after the kill: nothing confirmed was lost
    tmux.start(root, "--reviewer", "ana", "--order", "file")
    tmux.wait_for("23/128 done", "record 24 of 128", titles[ids[23]][:40])
    tmux.keys("\x03")  # Ctrl-C quits too, and the terminal comes back
    assert tmux.exit_code() == 0
    assert (tmp_path / "stty-before3").read_text() == (tmp_path / "stty-after3").read_text()


def test_wide_screen_shows_criteria_and_highlights(tmp_path):
    root = copy_example(tmp_path / "review", decisions=False)
    t = Tmux(tmp_path, 120, 40)
    try:
        t.start(root, "--reviewer", "ben")
        t.wait_for("0/128 done", "│ Include if", "│ Exclude if", " q  quit")
        colour = t.screen(escapes=True)
        # "multiple sclerosis" is an include keyword: drawn in black on green (SGR 30;42)
        assert "\x1b[1m\x1b[30m\x1b[42m" in colour or "\x1b[1;30;42m" in colour
        t.keys("?")
        # every key is listed
        t.wait_for("press any key to go back", "include the record", "undo the last decision",
                   "quit (every decision is already saved)")
        t.keys("x", "q")
        assert t.exit_code() == 0
    finally:
        t.close()


def test_priority_order_and_stopping_line_on_screen(tmp_path, tmux):
    """Default order: file order until one include and one exclude, then ranked; the stopping
    rule's line is at the top all along."""
    root = copy_example(tmp_path / "review", decisions=False)
    ids = load_record_set(root).ids
    tmux.start(root, "--reviewer", "ana")
    first = tmux.wait_for("0/128 done", "file order until ranked", "stopping rule (95% recall): keep screening",
                          "0 irrelevant in a row since the last relevant")
    assert "record 1 of 128" in first
    tmux.keys("i")
    tmux.wait_for("1/128 done")
    tmux.keys("e")
    tmux.wait_for("2/128 done", "1 irrelevant in a row since the last relevant")
    # the ranking (trained on these two) is applied at the next decision once it is ready
    for n, k in enumerate("eee", start=3):
        time.sleep(1.0)
        tmux.keys(k)
        screen = tmux.wait_for(f"{n}/128 done", f"{n - 1} irrelevant in a row since the last relevant")
    assert "priority order" in screen
    assert [d for d in decided(root)][:2] == [[ids[0], "include"], [ids[1], "exclude"]]
    tmux.keys("q")
    assert tmux.exit_code() == 0
