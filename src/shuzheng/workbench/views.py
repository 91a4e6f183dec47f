"""The staff workbench shell (queues arrive with the cases module)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shuzheng.identity.facade import ROLE_NAMES, departments, principal_for_request


@login_required
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise PermissionDenied("仅工作人员可以使用工作台。")
    names = {d.code: d.name for d in departments()}
    roles = [(str(ROLE_NAMES.get(r, r)), names.get(d, d)) for r, d in principal.staff_roles]
    return render(request, "workbench/home.html", {"principal": principal, "roles": roles})
