"""review: a systematic review, from search exports to pooled tables, in plain files."""

__version__ = "0.1.0"
