"""Signals sent by the work and allocation app."""

import django.dispatch

# Sent inside the allocation transaction, once for each record allocated (or reassigned).
# Keyword arguments: ``record`` (a Contact or an Enquiry), ``assignee`` (the user it now
# belongs to) and ``allocated_by`` (the manager who allocated it). Receivers that do
# anything outside the database should wait for the commit (``transaction.on_commit``).
allocated = django.dispatch.Signal()
