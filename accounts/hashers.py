"""The password hasher: Argon2id with OWASP's parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class GisplanArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at the parameters of OWASP's Password Storage Cheat Sheet (19 MiB of memory, 2 passes,
    1 lane) instead of Django's (100 MiB, 2 passes, 8 lanes).

    About 40 ms a hash on a 2-core server instead of about 300 ms, and 19 MiB per check instead of
    100, so a burst of sign-ins (or of wrong HTTP Basic passwords, until the throttle stops them)
    cannot take a worker's memory. The algorithm's name stays "argon2": a hash made with other
    parameters still verifies and is rehashed with these at its next sign-in, like a PBKDF2 one.
    benchmarks/signin.py measures it.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
