"""A person's chronology page: every event about them in date order, filterable and printable.

Hub staff only: anyone else, and a person outside the user's view, gets 404. Each view of the
chronology is audited (`chronology.viewed`, naming the person and the filters); bad filters are
answered on the page with the GOV.UK error summary naming the field, and the part of a date typed
into its boxes (400), and no events.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from contacts.models import Person
from mash.audit.events import record_access

from .forms import ChronologyFilterForm, is_filtering
from .selectors import chronology_for, people_of_chronology, person_for_chronology
from .services import record_chronology_viewed


@login_required
@require_http_methods(["GET", "HEAD"])
def person_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = person_for_chronology(request.user, pk)
    except Person.DoesNotExist as missing:
        raise Http404 from missing
    filtering = is_filtering(request.GET)
    form = ChronologyFilterForm(request.GET if filtering else None)
    people = people_of_chronology(request.user, person)
    events, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
        record_access(person)  # the error page still names the person
    else:
        filters = form.filters
        events = chronology_for(
            request.user,
            person,
            since=filters.since,
            until=filters.until,
            kinds=filters.kinds,
            people=people,
        )
        record_chronology_viewed(request.user, person, filters, events, via="page")
    context = {
        "person": person,
        "merged": people[1:],
        "form": form,
        "events": events,
        "filtered": bool(form.filters.since or form.filters.until or form.filters.kinds),
        "produced_at": timezone.now(),
    }
    return render(request, "chronology/chronology.html", context, status=status)
