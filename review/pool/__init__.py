"""Pooling: effect sizes, meta-analytic models, bias tests, forest and funnel plots, tables."""
