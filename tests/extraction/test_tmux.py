"""The terminal form driven in tmux as a person would: fill a few fields, quit, resume.

Skipped when tmux is absent. Runs `review extract --reviewer carla` on a copy of
the example review (carla has no extraction log there).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REVIEW = Path(sys.executable).with_name("review")
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None or not REVIEW.exists(), reason="needs tmux and the review script")


class Tmux:
    def __init__(self, tmp: Path):
        self.sock = ["tmux", "-S", str(tmp / "tmux.sock")]
        self.name = "t0"

    def run(self, *args: str) -> str:
        r = subprocess.run([*self.sock, *args], capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stderr)
        return r.stdout

    def start(self, command: str) -> None:
        self.name = f"t{int(self.name[1:]) + 1}"
        self.run("new-session", "-d", "-s", self.name, "-x", "100", "-y", "32", command)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)
        time.sleep(0.3)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)
        self.keys("Enter")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        end = time.time() + timeout
        while time.time() < end:
            s = self.screen()
            if text in s:
                return s
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run([*self.sock, "kill-server"], capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    t = Tmux(tmp_path)
    yield t
    t.kill()


@pytest.fixture
def review(tmp_path):
    if not (REPO / "records/extraction/_studies.csv").is_file():
        pytest.skip("the example's extraction records are not there")
    root = tmp_path / "review"
    root.mkdir()
    shutil.copy(REPO / "protocol.yaml", root / "protocol.yaml")
    shutil.copytree(REPO / "records", root / "records")
    (root / "records/extraction/carla.csv").unlink(missing_ok=True)
    return root


def _form(tmux, review, extra=""):
    tmux.start(f"cd {review} && {REVIEW} extract --reviewer carla {extra}; echo EXIT=$?; "
               "stty -a | tr ' ' '\\n' | grep -x -- '-*icanon'; sleep 60")


def test_fill_quit_resume(tmux, review):
    _form(tmux, review, "--study okafor2021")
    s = tmux.wait_for("value>")
    assert "Okafor 2021 [okafor2021]" in s and "Title: Paramagnetic rim lesions" in s and "Full text:" in s
    tmux.type("Nigeria")
    tmux.type("trial")  # not a design: refused at once, nothing saved
    s = tmux.wait_for("value 'trial'")
    assert "not one of" in s
    tmux.keys(*["BSpace"] * 5)
    tmux.type("cohort")
    tmux.type("120")
    tmux.keys("Escape")
    s = tmux.wait_for("EXIT=")
    assert "EXIT=0" in s and "Saved 3 value(s)." in s
    # 12 required (design, n, field_strength, technique, 8 NOS items); design and n given -> 10
    assert "Okafor 2021 [okafor2021]: 10 missing or incomplete (field_strength" in s
    assert "\nicanon" in s  # the terminal is back in canonical mode
    with open(review / "records/extraction/carla.csv", encoding="utf-8") as fh:
        rows = [(r["study"], r["field"], r["value"]) for r in csv.DictReader(fh)]
    assert rows == [("okafor2021", "country", "Nigeria"), ("okafor2021", "design", "cohort"), ("okafor2021", "n", "120")]

    _form(tmux, review, "--study okafor2021")  # resume: the first empty field
    s = tmux.wait_for("value>")
    assert ">*field_strength" in s and "3/55 fields" in s
    tmux.type("3")
    tmux.keys("Escape")
    s = tmux.wait_for("EXIT=")
    assert "Saved 1 value(s)." in s
    text = (review / "records/extraction/carla.csv").read_text(encoding="utf-8")
    assert text.splitlines()[-1].startswith("okafor2021,field_strength,3.0,")
