"""Data files: price lists (pricing_<provider>.json) and platform limits (limits_<provider>.json), with sources."""
