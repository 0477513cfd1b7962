"""The commented protocol.yaml that `review init` writes."""

PROTOCOL_TEMPLATE = """\
# protocol.yaml: the plan of this systematic review.
# Edit it by hand; `review check` reports every problem in it at once.
# Dates are YYYY-MM-DD. Paths are relative to this folder.

title: "Title of your review"

# The question: free text (question: "...") or PICO/PECO parts.
question:
  population: "Adults with ..."
  intervention: "..."        # or exposure:
  comparison: "..."
  outcome: "..."

# Short names of the people who screen and extract (used to name their files).
reviewers: [reviewer1, reviewer2]

# One entry per database search, as PRISMA-S asks: the export file goes in
# records/searches/ byte for byte as the database gave it (any format review reads:
# MEDLINE, RIS, Web of Science, BibTeX, EndNote XML, PubMed XML, CSV/TSV).
searches:
  - name: pubmed               # short name, used in reports
    database: PubMed           # database as you report it
    interface: PubMed          # platform/interface (optional), e.g. Ovid, EBSCOhost
    file: pubmed.txt           # under records/searches/
    date: 2025-01-31           # date searched
    query: '("example"[tiab]) AND ...'   # the query exactly as run
    # limits: "English; 2000-2025"       # optional
    # records: 123                       # optional: the count the database reported

# Records identified by other methods (citation searching, websites, organisations).
# other_sources:
#   - name: citations
#     method: citation searching
#     file: citations.ris
#     date: 2025-02-15

# Screening (title-abstract and full-text), extraction form and analyses are
# filled in as the review reaches those stages.
# screening:
#   reviewers_per_record: 2
#   criteria:
#     include: ["..."]
#     exclude: ["..."]
#   reasons:                 # full-text exclusion reasons: a key to press and a label
#     - {key: "1", label: "Wrong population"}
#     - {key: "2", label: "No comparison group"}
#   include_keywords: ["iron rim*", "paramagnetic rim"]   # highlighted on screen
#   to_full_text: either     # a record goes on when either reviewer includes or says maybe

# analyses:
#   - name: outcome1
#     outcome: "Outcome 1"
#     measure: SMD             # RR OR RD MD SMD ROM ZCOR IRR GEN
#     method: REML             # REML DL PM ML HE SJ EB FE MH PETO
#     # data: my_table.csv     # default: output/extraction/outcome1.csv from `review extract export`
#     groups: [Treatment, Control]
"""
