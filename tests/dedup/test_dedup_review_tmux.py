"""`review dedup --review` driven in tmux as a person would, on a copy of the example review.

The copy gets the small invented Embase search (tests/data/dedup/extra_search/embase.ris,
see test_workflow.py): seven records that each form one possible-duplicate pair with a
PubMed record. By design six are the same work; the one by Lindgren, Okonkwo and Varga
(same title as Åkesson 2016) is a different work. The "person" reads the screen and
answers accordingly: five pairs, an undo, quit, rerun for the last two, then splits the
first automatic merge. Expected works afterwards: the example's 128 true works
(tests/data/example_truth.json) + 1 for the Lindgren record + 1 for the split = 130.

Skips when tmux is not installed (apt-get install -y tmux).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from review.dedup_workflow import load_works, parse_log

from .test_workflow import TRUTH, copy_example

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One tmux server on its own socket, so nothing else's sessions are touched."""

    def __init__(self, cwd, socket_dir):
        path = str(socket_dir / "tmux.sock")
        # a socket in the test's folder (removed with it); tmux's own folder if the path is too long
        self.socket = ["-S", path] if len(path) < 100 else ["-L", f"review-test-{uuid.uuid4().hex[:8]}"]
        self.cwd = cwd
        self.session = "dedup"

    def tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", *self.socket, "-f", "/dev/null", *args],
                             capture_output=True, text=True, timeout=20)
        return out.stdout

    def start(self, command: str) -> None:
        # pytest's environment may carry COLUMNS=80/LINES=24; a person's shell does not export them
        shell = f"cd {self.cwd} && env -u COLUMNS -u LINES {command}; echo EXITED rc=$?; stty -a; sleep 120"
        self.tmux("new-session", "-d", "-s", self.session, "-x", "160", "-y", "50", shell)

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", "-J", *(["-e"] if escapes else []), "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        self.tmux("kill-session", "-t", self.session)

    def close(self) -> None:
        self.tmux("kill-server")


def review_cmd(*args: str) -> str:
    return " ".join([sys.executable, "-m", "review", "dedup", *args])


def answer_as_a_person(t: Tmux, screen: str) -> str:
    """s, unless the records are obviously by different people."""
    return "d" if "Lindgren" in screen else "s"


@pytest.fixture()
def tmux_review(tmp_path):
    root = copy_example(tmp_path / "review", extra=True)
    t = Tmux(root, tmp_path)
    yield root, t
    t.close()


def _wait_exit(t: Tmux) -> str:
    screen = t.wait_for("EXITED rc=")
    assert "EXITED rc=0" in screen, screen
    # the terminal is back in normal (cooked) mode: line editing and echo on
    assert " icanon " in screen and " echo " in screen and "-icanon" not in screen, screen
    return screen


def test_review_answer_undo_quit_rerun_and_split(tmux_review):
    root, t = tmux_review
    log = root / "records" / "dedup" / "ana.csv"

    # 1. five pairs, one undo, quit
    t.start(review_cmd("--review", "--reviewer", "ana"))
    screen = t.wait_for("Pair 1 of 7")
    for label in ("title", "authors", "year", "journal", "vol/issue/pages", "DOI", "PMID", "database"):
        assert label in screen
    assert "s same" in screen and "d different" in screen and "u undo" in screen and "q quit" in screen
    assert "≠" in screen  # the differing fields are flagged
    colours = t.screen(escapes=True)
    assert "\x1b[" in colours and "43m" in colours  # and their words highlighted (yellow background)
    answers = []
    for n in range(1, 6):
        screen = t.wait_for(f"Pair {n} of 7")
        key = answer_as_a_person(t, screen)
        answers.append(key)
        t.keys(key)
        t.wait_for(f"Pair {n}: {'same' if key == 's' else 'different'} (saved)")
        # written before the next pair shows
        assert len(parse_log(log.read_text(), "ana.csv")[0]) == n
    t.wait_for("Pair 6 of 7")
    t.keys("u")
    screen = t.wait_for("Undone: pair 5 is back")
    assert "Pair 5 of 7" in screen
    t.keys("?")
    assert "show or hide this help" in t.wait_for("keys")
    t.keys(answer_as_a_person(t, screen))
    t.wait_for("Pair 6 of 7")
    t.keys("q")
    screen = _wait_exit(t)
    assert "2 of 7 possible-duplicate pairs left" in screen
    t.kill()

    lines = log.read_text().splitlines()
    assert lines[0] == "a,b,answer,time"
    assert len(lines) == 1 + 5 + 1 + 1  # five answers, the undo (a skip for pair 5), pair 5 again
    assert lines[6].split(",")[:2] == lines[5].split(",")[:2] == lines[7].split(",")[:2]
    assert lines[6].split(",")[2] == "skip"

    # 2. rerun: only the two unanswered pairs are left; answer them; then nothing is left
    t.start(review_cmd("--review", "--reviewer", "ana"))
    for n in (1, 2):
        screen = t.wait_for(f"Pair {n} of 2")
        t.keys(answer_as_a_person(t, screen))
    t.wait_for("All 2 pairs seen")
    t.keys("C-c")  # Ctrl-C quits too, and the terminal is restored (checked in _wait_exit)
    _wait_exit(t)
    t.kill()
    t.start(review_cmd("--review", "--reviewer", "ana"))
    assert "No possible-duplicate pairs waiting" in _wait_exit(t)
    t.kill()

    works = load_works(root)
    assert works.problems == []
    assert len(works) == TRUTH["counts"]["unique_works"] + 1  # 128 + the Lindgren record

    # 3. split the first automatic merge
    t.start(review_cmd("--review", "--merged", "--reviewer", "ana"))
    screen = t.wait_for("Pair 1 of ")
    assert "merged automatically" in screen
    t.keys("d")
    t.wait_for("Pair 1: different (saved)")
    t.keys("q")
    _wait_exit(t)
    t.kill()
    last = log.read_text().splitlines()[-1].split(",")
    assert last[2] == "different"
    works = load_works(root)
    assert len(works) == TRUTH["counts"]["unique_works"] + 2
    assert works.work_of(last[0]) != works.work_of(last[1])

    # 4. `review dedup` honours every answer
    t.start(review_cmd("--json"))
    screen = t.wait_for("EXITED rc=")
    t.kill()
    info = json.loads((root / "output" / "dedup.json").read_text())["counts"]
    assert (info["records"], info["works"], info["possible_pairs"]) == (222, 130, 0)
