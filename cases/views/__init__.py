"""The instructor area (`/teach/`): for members of the Instructors group only. Everyone
else gets a 404, as if it did not exist; a visitor is asked to log in first.

One module per part of the area: `cases` (overview, list, editor), `reports`, and so on;
each imports `instructor_required` from here.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from neurolocalize.accounts import is_instructor

PER_PAGE = 25


def instructor_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_instructor(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
