"""Normalisation shared by every importer, checked on hand-made cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review.records import (
    Record,
    Source,
    normalise_author,
    normalise_doi,
    normalise_pages,
    normalise_ut,
    parse_year,
    split_authors,
)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Smith JA", "Smith, JA"),  # MEDLINE AU
        ("Smith, John Andrew", "Smith, JA"),  # MEDLINE FAU / RIS
        ("Smith, J.A.", "Smith, JA"),  # Scopus
        ("Smith J.A.", "Smith, JA"),
        ("SMITH, JA", "Smith, JA"),  # WoS AU
        ("John A. Smith", "Smith, JA"),
        ("van der Berg, Anna", "van der Berg, A"),
        ("Anna van der Berg", "van der Berg, A"),
        ("Ramírez-Peña, José", "Ramírez-Peña, J"),
        ("Dupont, Jean-Pierre", "Dupont, JP"),
    ],
)
def test_author_forms(raw, expected):
    assert normalise_author(raw) == expected


def test_split_authors_on_semicolons_and_and():
    assert split_authors("Smith JA; Jones B") == ["Smith, JA", "Jones, B"]
    assert split_authors("Smith, John and Jones, Bea") == ["Smith, J", "Jones, B"]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("https://doi.org/10.1000/ABC.123", "10.1000/abc.123"),
        ("http://dx.doi.org/10.1000/x", "10.1000/x"),
        ("doi: 10.1000/X.", "10.1000/x"),
        ("10.1000/xyz [doi]", "10.1000/xyz"),
        ("not a doi", ""),
        ("", ""),
    ],
)
def test_doi(raw, expected):
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [("123-9", "123-129"), ("1234-45", "1234-1245"), ("e1234", "e1234"), ("12\u201315", "12-15"), ("55-55", "55")],
)
def test_pages(raw, expected):
    assert normalise_pages(raw) == expected


def test_year_and_ut():
    assert parse_year("2019 Mar 4") == 2019
    assert parse_year("2019/03/04/") == 2019
    assert parse_year("n.d.") is None
    assert normalise_ut("WOS:000186671900001") == "000186671900001"


def test_stable_id_priority():
    assert Record(pmid="123", doi="10.1/x").id == "pmid:123"
    assert Record(doi="10.1/x", eid="2-s2.0-1").id == "doi:10.1/x"
    assert Record(eid="2-s2.0-1").id == "eid:2-s2.0-1"
    a = Record(title="A Title", year=2020, authors=["Smith, J"])
    b = Record(title="a title.", year=2020, authors=["Smith, J"], source=Source(file="other.ris", position=9))
    assert a.id.startswith("h:") and a.id == b.id  # same content, same id, wherever it came from
    assert Record(title="A Title", year=2021, authors=["Smith, J"]).id != a.id


@given(
    title=st.text(max_size=40),
    authors=st.lists(st.text(min_size=1, max_size=10), max_size=3),
    year=st.one_of(st.none(), st.integers(1800, 2030)),
)
def test_to_dict_round_trip(title, authors, year):
    rec = Record(title=title, authors=authors, year=year, raw={"TI": [title]}, source=Source(file="f", position=1))
    assert Record.from_dict(rec.to_dict()) == rec


def test_clean_text_keeps_non_markup_and_bare_ampersands():
    from review.records import clean_text

    assert clean_text("<Creep crack growth.pdf>") == "<Creep crack growth.pdf>"  # EndNote title, not a tag
    assert clean_text("<jats:p>Iron <i>rim</i> lesions</jats:p>") == "Iron rim lesions"
    assert clean_text("a &amp; b &para=1") == "a & b &para=1"  # a URL's query string stays as written


def test_group_author_kept_as_written():
    assert normalise_author("Iron Rim Study Group") == "Iron Rim Study Group"
    assert normalise_author("MAGNIMS Study Group") == "MAGNIMS Study Group"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Vest JR", "Vest, JR"),  # initials that spell "Jr" are initials when nothing else is left
        ("Longini IM Jr", "Longini, IM"),
        ("Lewis G. F.", "Lewis, GF"),  # ASySD's spaced initials
        ("Pierie J.-P.E.N.", "Pierie, JPEN"),
        ("Baumgartner W.A., Jr.", "Baumgartner, WA"),
        ("Smith, John A., Jr.", "Smith, JA"),
    ],
)
def test_author_edge_forms(raw, expected):
    assert normalise_author(raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        # a run of capitals beside a given name not in capitals is initials, kept whole
        ("van Laarhoven, Cornelis JHM", "van Laarhoven, CJHM"),
        ("Cabrera, Santiago AS", "Cabrera, SAS"),
        # a family name not in capitals: the run of capitals is initials however long
        ("Montandon, ACDOES", "Montandon, ACDOES"),
        ("Montandon ACDOES", "Montandon, ACDOES"),
        # an all-capitals name: a run longer than four is a given name
        ("SMITH, ROBERT", "Smith, R"),
        ("ARIYABUDDHIPHONGS, VANCHAI", "Ariyabuddhiphongs, V"),
        ("O'BRIEN, JA", "O'Brien, JA"),  # four or fewer stay initials, as WoS writes them
        # initials of any letter (Scopus)
        ("Danza Á.", "Danza, Á"),
        ("Marini M.Â.", "Marini, MÂ"),
        ("Fluge Ø.", "Fluge, Ø"),
        # capitals lowered in any alphabet; Python lowers "İ" to "i" plus a combining dot above
        ("ÖZTÜRK", "Öztürk"),
        ("GÜVELİOĞLU, Elif", "Güveli\u0307oğlu, E"),
        # a suffix after a second comma, or Scopus's suffix before the initials
        ("Thompson, F.R., III", "Thompson, FR"),
        ("Flakes, Johnny H., III", "Flakes, JH"),
        ("Thompson III F.R.", "Thompson, FR"),
        ("Tucker Jr. J.W.", "Tucker, JW"),
        ("Wes Burger Jr. L.", "Wes Burger, L"),
        ("Li, IV", "Li, IV"),  # after the only comma "IV" is initials
        # "editorial" marks a group author
        ("Editorial Board of Neurology", "Editorial Board of Neurology"),
    ],
)
def test_author_capitals_letters_and_suffixes(raw, expected):
    assert normalise_author(raw) == expected


_FAMILIES = ["Smith", "SMITH", "van der Berg", "Öztürk", "ÖZTÜRK", "O'Brien", "Ramírez-Peña", "Li", "Montandon"]
_GIVENS = ["John", "JOHN", "John Andrew", "J.A.", "JA", "J. A.", "Cornelis JHM", "ACDOES", "Á.", "J.-P.", "ROBERT"]
_SUFFIX = ["", ", Jr.", ", III"]


@given(
    family=st.sampled_from(_FAMILIES),
    given_name=st.sampled_from(_GIVENS),
    suffix=st.sampled_from(_SUFFIX),
    comma=st.booleans(),
)
def test_normalise_author_is_idempotent(family, given_name, suffix, comma):
    raw = f"{family}, {given_name}{suffix}" if comma else f"{family} {given_name}"
    once = normalise_author(raw)
    assert normalise_author(once) == once
