#!/usr/bin/env python
"""Benchmark: what a sign-in costs with PBKDF2 (before) and Argon2 (after).

1. The hashers alone: hashing a password and verifying it, ``--repeat`` times each, with Django's
   PBKDF2 (SHA-256, Django 5.2's 1,000,000 iterations), Argon2id at Django's parameters (2 passes,
   100 MiB, 8 lanes) and gisplan's Argon2id (accounts/hashers.py: OWASP's 2 passes, 19 MiB, 1 lane).
2. A full POST to the sign-in page through Django's test client (form, throttle, password check,
   session, redirect): a PBKDF2 account when PBKDF2 is the preferred hasher (before); an Argon2
   account with the production hashers (after); and the one sign-in that upgrades a PBKDF2 account
   to Argon2 (PBKDF2 check + Argon2 hash + save).

Runs in a transaction that is rolled back (nothing stays in the database); needs a migrated
database (DATABASE_URL; the dev database by default). Prints the best and median wall time and the
median CPU time (ms), and the load average before and after.

    DATABASE_URL=postgis://gisplan:gisplan@127.0.0.1:5432/gisplan .venv/bin/python benchmarks/signin.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    get_hasher,
    make_password,
)
from django.db import transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

PASSWORD = "Bench-Sign-In-2568!"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
ARGON2 = "accounts.hashers.GisplanArgon2PasswordHasher"


class Rollback(Exception):
    pass


def timed(fn, repeat):
    """Best and median wall time, and median CPU time of this process (all its threads), in ms: the
    CPU time holds still on a busy machine, where the wall time does not."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return min(wall), statistics.median(wall), statistics.median(cpu)


def row(label, best, median, cpu):
    print(f"{label:<58} best {best:7.1f} ms  median {median:7.1f} ms  cpu {cpu:7.1f} ms")


def hashers(repeat):
    for hasher in (PBKDF2PasswordHasher(), Argon2PasswordHasher(), get_hasher("default")):
        name = f"{hasher.__class__.__name__}"
        encoded = hasher.encode(PASSWORD, hasher.salt())
        row(f"hash    {name}", *timed(lambda h=hasher: h.encode(PASSWORD, h.salt()), repeat))
        row(f"verify  {name}", *timed(lambda h=hasher, e=encoded: h.verify(PASSWORD, e), repeat))


def sign_in(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, (response.status_code, response.content[:500])
    client.logout()


def sign_ins(repeat):
    User = get_user_model()
    with override_settings(PASSWORD_HASHERS=[PBKDF2, ARGON2]):
        User.objects.create_user("bench-pbkdf2", password=PASSWORD)
        row("POST /accounts/login/, PBKDF2 account (before)", *timed(lambda: sign_in("bench-pbkdf2"), repeat))
    with override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS):
        User.objects.create_user("bench-argon2", password=PASSWORD)
        assert User.objects.get(username="bench-argon2").password.startswith("argon2$")
        row("POST /accounts/login/, Argon2 account (after)", *timed(lambda: sign_in("bench-argon2"), repeat))
        upgrades = []
        for i in range(repeat):
            name = f"bench-upgrade-{i}"
            User.objects.create_user(name, password=None)
            User.objects.filter(username=name).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
            upgrades.append(name)
        names = iter(upgrades)
        row("POST /accounts/login/, PBKDF2 account upgraded to Argon2", *timed(lambda: sign_in(next(names)), repeat))
        assert all(u.password.startswith("argon2$") for u in User.objects.filter(username__in=upgrades))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup_test_environment()  # the test client's host, mail kept in memory
    print(f"{os.cpu_count()} CPUs; database {settings.DATABASES['default']['NAME']}; repeat {args.repeat}")
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    hashers(args.repeat)
    try:
        with transaction.atomic():
            sign_ins(args.repeat)
            raise Rollback
    except Rollback:
        pass
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
