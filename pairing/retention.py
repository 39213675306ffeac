"""Retention (children.retention): what pairing keeps about a de-identified child.

Kept for the counts (coverage, visits per child, hours): the pairings, the visits' dates,
kinds, durations and concerns. Cleared: the free text, which names the child and the family
(visit notes and follow-up notes, the end reason of a pairing, the home-school messages)."""

from __future__ import annotations

from .models import ChildPairing, FeedbackMessage, Visit

CLEARED_MESSAGE = "（该儿童已退出信息库满保存期限，内容已清除）"
# An ended pairing keeps a reason (a check constraint): this one says why it was replaced.
CLEARED_REASON = "儿童已退出信息库（原因已按保存期限清除）"


def clear_free_text(ids: list[int]) -> None:
    Visit.objects.filter(child_id__in=ids).update(notes="", follow_up_note="")
    ChildPairing.objects.filter(child_id__in=ids).exclude(end_reason="").update(
        end_reason=CLEARED_REASON
    )
    FeedbackMessage.objects.filter(child_id__in=ids).update(body=CLEARED_MESSAGE)
