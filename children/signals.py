"""Signals the registry sends to the apps built on it (they import children; children
imports none of them)."""

from django.dispatch import Signal

#: Sent inside each retention batch's transaction, ``sender=Child``, with ``ids`` (the children
#: just de-identified) and ``on`` (the run's date). An app that keeps free text about a child
#: (visit notes, messages, wish stories) clears it in the same transaction.
children_deidentified = Signal()
