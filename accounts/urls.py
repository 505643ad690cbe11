"""Accounts URLs (under /accounts/, beside django.contrib.auth's login/logout/password pages)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("register/laos/", views.lao_search, name="lao_search"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:profile_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("approvals/<int:profile_id>/reject/", views.decide, {"decision": "reject"}, name="reject"),
]
