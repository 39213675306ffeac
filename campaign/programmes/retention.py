"""Retention (children.retention): what the programmes keep about a de-identified child.

Kept for the counts (wishes and their fulfilment, aid given, activities): the records
themselves. Cleared: their free text about the child (a wish's story and review note, an
aid record's note)."""

from __future__ import annotations

from .models import AidRecord, Wish


def clear_free_text(ids: list[int]) -> None:
    Wish.objects.filter(child_id__in=ids).update(story="", review_note="")
    AidRecord.objects.filter(child_id__in=ids).exclude(note="").update(note="")
