"""BibTeX out and back in: every normalised field survives bibtex_writer -> importers.bibtex.

Records are drawn at random (hypothesis) in normalised form, i.e. values the
normalisers of records.py leave unchanged: text with LaTeX's special characters
(braces, ``&``, ``%``, ``$``, ``_``, ``~``, ``\\``), non-ASCII names, DOIs with
parentheses and semicolons.
"""

from __future__ import annotations

import io
import re
import string

import bibtexparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.importers import ParseContext, bibtex
from review.records import (
    Record,
    clean_text,
    dedupe_list,
    normalise_author,
    normalise_doi,
    normalise_pages,
)
from review.writers import bibtex_writer

ALPHABET = string.ascii_letters + string.digits + " " * 6 + string.punctuation + "éüøßçñÅŁ中αμ–—‘’“”…°±×\u2010"
LETTERS = string.ascii_letters + "éüøßçñÅŁÖ"


def _fixed(fn):
    return lambda value: bool(value) and fn(value) == value


text = st.text(ALPHABET, min_size=1, max_size=60).filter(_fixed(clean_text))
short = st.text(string.ascii_letters + string.digits + " -.()", min_size=1, max_size=12).filter(_fixed(clean_text))

family = st.builds(
    lambda particle, words: " ".join(([particle] if particle else []) + words),
    st.sampled_from(["", "", "van der", "de", "von", "O'", "d'"]).map(lambda p: p.rstrip("'")),
    st.lists(
        st.text(LETTERS + "-'", min_size=1, max_size=10).map(lambda w: w[:1].upper() + w[1:]),
        min_size=1,
        max_size=2,
    ),
)
person = st.builds(
    lambda fam, ini: f"{fam}, {ini}",
    family,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZŁÖ", min_size=1, max_size=3),
).filter(_fixed(normalise_author))
group = st.lists(st.text(LETTERS + "&-.'", min_size=1, max_size=8), min_size=2, max_size=4).map(" ".join).filter(
    _fixed(clean_text)
)
# Names a normaliser left alone because they are not "Family, Initials" (long group names
# with commas, "Team, Chinese Center for Disease Control and Prevention").
other_name = text.filter(lambda t: " " in t)
authors = st.lists(st.one_of(person, person, group, other_name), max_size=5)

doi = st.builds(
    lambda prefix, suffix: f"10.{prefix}/{suffix}",
    st.integers(1000, 99999),
    st.text(string.ascii_lowercase + string.digits + "._;()/:<>-", min_size=1, max_size=25),
).filter(_fixed(normalise_doi))
pages = st.one_of(
    st.builds(lambda a, b: f"{a}-{a + b}", st.integers(1, 5000), st.integers(1, 300)),
    st.builds(lambda a: f"e{a}", st.integers(1, 999999)),
    st.builds(lambda a, b: f"S{a}-S{a + b}", st.integers(1, 500), st.integers(1, 50)),
).filter(_fixed(normalise_pages))
url = st.builds(
    lambda path: "https://example.org/" + path,
    st.text(string.ascii_letters + string.digits + "._~%/?=&#-", max_size=30),
)


def items(strategy):
    return st.lists(strategy, max_size=4).map(dedupe_list)


issn = st.lists(
    st.builds(lambda a, b, c: f"{a:04d}-{b:03d}{c}", st.integers(0, 9999), st.integers(0, 999), st.sampled_from("0123456789X")),
    max_size=3,
    unique=True,
)
database = st.one_of(st.sampled_from(["", "Scopus", "Web of Science", "PubMed", "Embase", "Cochrane Library"]), text)


def maybe(strategy):
    return st.one_of(st.just(""), strategy)


records = st.builds(
    Record,
    title=maybe(text),
    abstract=maybe(text),
    authors=authors,
    year=st.one_of(st.none(), st.integers(1500, 2099)),
    journal=maybe(text),
    journal_abbrev=maybe(text),
    volume=maybe(short),
    issue=maybe(short),
    pages=maybe(pages),
    doi=maybe(doi),
    pmid=maybe(st.integers(1, 99999999).map(str)),
    pmcid=maybe(st.integers(1, 9999999).map(lambda n: f"PMC{n}")),
    eid=maybe(st.integers(1, 10**11).map(lambda n: f"2-s2.0-{n}")),
    wos_ut=maybe(st.text(string.ascii_uppercase + string.digits, min_size=15, max_size=15)),
    accession=maybe(st.text(string.ascii_uppercase + string.digits + "-", min_size=3, max_size=12).filter(_fixed(clean_text))),
    issn=issn,
    keywords=items(text),
    mesh=items(text),
    language=maybe(short),
    pub_types=items(st.sampled_from(["Journal Article", "Review", "Conference Paper", "Book Section", "Thesis", "Book"]) | text),
    url=maybe(url),
    database=database,
)


def roundtrip(recs: list[Record]) -> tuple[str, list[Record]]:
    buf = io.StringIO()
    bibtex_writer.write(recs, buf)
    out = buf.getvalue()
    ctx = ParseContext("roundtrip.bib")
    return out, bibtex.parse(out, ctx)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=4))
def test_every_normalised_field_survives(recs):
    out, back = roundtrip(recs)
    assert len(back) == len(recs), out
    for original, read in zip(recs, back):
        assert read.normalised() == original.normalised(), out


@settings(max_examples=100, deadline=None)
@given(st.lists(records, min_size=1, max_size=4))
def test_output_is_plain_valid_bibtex(recs):
    out, _ = roundtrip(recs)
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks
    assert len(library.entries) == len(recs)
    # Classic BibTeX counts every brace, escaped or not: each entry must balance.
    for entry in re.split(r"\n(?=@)", out):
        assert entry.count("{") == entry.count("}"), entry


def test_keys_author_year_word_with_letter_suffixes():
    rec = Record(title="The rim of the lesion", authors=["van der Berg, A"], year=2020)
    other = Record(title="Iron", authors=["Müller, K"])
    out, back = roundtrip([rec, rec, rec, other, Record()])
    keys = re.findall(r"^@\w+\{([^,]+),", out, re.M)
    assert keys == ["vanderberg2020rim", "vanderberg2020rima", "vanderberg2020rimb", "mulleriron", "anon"]
    assert [r.title for r in back] == ["The rim of the lesion"] * 3 + ["Iron", ""]


def test_written_entry_reads_like_bibtex():
    rec = Record(
        title="50% of R&D {DNA} costs $5_000 ~ C:\\temp",
        authors=["van der Berg, AM", "Müller, K", "World Health Organization"],
        year=2021,
        journal="Journal of Things",
        pub_types=["Conference Paper"],
        keywords=["Ear, Middle"],
        wos_ut="000123456700001",
    )
    out, (back,) = roundtrip([rec])
    assert out.startswith("@inproceedings{vanderberg2021dna,\n")
    assert r"title     = {{50\% of R\&D \{DNA\} costs \$5\_000 \textasciitilde{} C:\textbackslash{}temp}}" in out
    assert "author    = {{van der Berg}, A. M. and Müller, K. and {World Health Organization}}" in out
    assert "booktitle = {Journal of Things}" in out
    assert "keywords  = {Ear, Middle;}" in out
    assert "unique-id = {WOS:000123456700001}" in out
    assert "database  = {}" in out  # else the WoS unique-id would make it a Web of Science record
    assert back.normalised() == rec.normalised()


def test_read_file_roundtrip_of_a_fixture(data_dir):
    from review.importers import read_file

    original = read_file(data_dir / "importers" / "structured" / "scopus_exportdate.bib").records
    _, back = roundtrip(original)
    assert [r.normalised() for r in back] == [r.normalised() for r in original]
