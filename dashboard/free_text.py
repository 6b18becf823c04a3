"""What a user sees of people's names in free text: the rule lives in :mod:`graphmodel.free_text`, shared
with reports; the dashboard's answers import it from here."""

from __future__ import annotations

from graphmodel.free_text import TEXT_FIELDS, WITHHELD, mask, name_pattern, redact_fields

__all__ = ["TEXT_FIELDS", "WITHHELD", "mask", "name_pattern", "redact_fields"]
