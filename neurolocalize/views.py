from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from cases.models import Case
from neurolocalize.accounts import SignupForm, is_instructor


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    published = Case.objects.published()
    return render(
        request,
        "home.html",
        {
            "published_count": published.count(),
        },
    )


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """Where a log-in without a `next` leads: the instructor area, or the learner's page."""
    return redirect("teach:home" if is_instructor(request.user) else "quizzes:dashboard")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to NeuroLocalize. Pick a practice set to begin.")
        return redirect("quizzes:list")
    return render(request, "registration/signup.html", {"form": form})


@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Django's log-out, plus a word that it happened."""
    auth_logout(request)
    messages.success(request, "You are logged out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (logged in or out in another tab) gets a plain explanation."""
    return render(request, "403_csrf.html", status=403)
