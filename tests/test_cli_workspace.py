"""init, check, import, convert and status, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MEDLINE = textwrap.dedent("""\
    PMID- 99000001
    TI  - Iron rim lesions and disability in multiple sclerosis.
    AB  - Background: invented abstract for a test.
    FAU - Smith, John Andrew
    AU  - Smith JA
    DP  - 2021 Mar
    TA  - Mult Scler
    JT  - Multiple sclerosis (Houndmills, Basingstoke, England)
    VI  - 27
    IP  - 3
    PG  - 401-9
    LID - 10.99999/ms.2021.001 [doi]

    PMID- 99000002
    TI  - Another invented record.
    AU  - Jones B
    DP  - 2020
    """)


def run(args, cwd, check_rc=None):
    env = dict(os.environ, COLUMNS="200")
    out = subprocess.run([sys.executable, "-m", "review", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if check_rc is not None:
        assert out.returncode == check_rc, out.stdout + out.stderr
    return out


@pytest.fixture
def review_dir(tmp_path):
    run(["init", "r"], tmp_path, 0)
    root = tmp_path / "r"
    (root / "records" / "searches" / "pubmed.txt").write_text(MEDLINE)
    return root


def test_init_refuses_to_overwrite(tmp_path):
    run(["init", "r"], tmp_path, 0)
    out = run(["init", "r"], tmp_path, 2)
    assert out.stderr.count("\n") == 1 and "already exists" in out.stderr


def test_import_twice_changes_nothing(review_dir):
    out = run(["import", "--json"], review_dir, 0)
    info = json.loads(out.stdout)
    s = info["searches"][0]
    # Two records in MEDLINE above: both titled, one abstract, one DOI, both with a year.
    assert (s["records"], s["with_title"], s["with_abstract"], s["with_doi"], s["with_year"]) == (2, 2, 1, 1, 2)
    library = review_dir / "output" / "records.jsonl"
    first = library.read_bytes()
    mtime = library.stat().st_mtime_ns
    again = json.loads(run(["import", "--json"], review_dir, 0).stdout)
    assert again["changed"] is False
    assert library.read_bytes() == first and library.stat().st_mtime_ns == mtime
    rows = [json.loads(line) for line in first.decode().splitlines()]
    assert [r["id"] for r in rows] == ["pmid:99000001", "pmid:99000002"]
    assert rows[0]["source"]["search"] == "pubmed"


def test_check_ok_and_status(review_dir):
    out = run(["check"], review_dir, 0)
    assert "OK (1 searches, 2 records)" in out.stdout
    run(["import"], review_dir, 0)
    status = json.loads(run(["status", "--json"], review_dir, 0).stdout)
    assert status["records"] == 2 and status["searches"][0]["records"] == 2


def test_missing_search_file_is_one_line_exit_2(review_dir):
    (review_dir / "records" / "searches" / "pubmed.txt").unlink()
    out = run(["import"], review_dir, 2)
    assert out.stderr.startswith("Error: protocol.yaml, line 24, field file:")  # template's `file:` line
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1
    assert not (review_dir / "output" / "records.jsonl").exists()


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"hello world\nthis is not an export\n", "cannot tell the format"),
    ],
)
def test_bad_files_one_line_exit_2(review_dir, content, expected):
    (review_dir / "records" / "searches" / "pubmed.txt").write_bytes(content)
    out = run(["import"], review_dir, 2)
    assert expected in out.stderr and "records/searches/pubmed.txt" in out.stderr
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1
    assert not (review_dir / "output").exists()


def test_outside_a_review(tmp_path):
    out = run(["status"], tmp_path, 2)
    assert "no protocol.yaml" in out.stderr and "Traceback" not in out.stderr


def test_bad_protocol_key_exit_2(review_dir):
    p = review_dir / "protocol.yaml"
    p.write_text(p.read_text().replace("reviewers:", "reviewrs:"))
    out = run(["import"], review_dir, 2)
    assert "field reviewrs: unknown key 'reviewrs'" in out.stderr and "did you mean 'reviewers'" in out.stderr
    out = run(["check"], review_dir, 1)
    assert "reviewrs" in out.stdout


def test_convert_without_a_review(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(MEDLINE)
    run(["convert", str(src), "-o", str(tmp_path / "out.jsonl")], tmp_path, 0)
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["title"] for r in rows] == ["Iron rim lesions and disability in multiple sclerosis.", "Another invented record."]
    assert rows[0]["pages"] == "401-409" and rows[0]["doi"] == "10.99999/ms.2021.001"
    out = run(["convert", str(src), "-o", str(tmp_path / "out.xyz")], tmp_path, 2)
    assert "unknown output format" in out.stderr
