"""Retention (children.retention): what the programmes keep about a de-identified child.

Kept for the counts (wishes and their fulfilment, aid given, activities): the records
themselves. Cleared: their free text about the child (a wish's story and review note, an
aid record's note)."""

from __future__ import annotations

from django.dispatch import receiver

from children.signals import children_deidentified

from .models import AidRecord, Wish


@receiver(children_deidentified, dispatch_uid="programmes.retention")
def clear_free_text(sender, *, ids, **kwargs) -> None:
    Wish.objects.filter(child_id__in=ids).update(story="", review_note="")
    AidRecord.objects.filter(child_id__in=ids).exclude(note="").update(note="")
