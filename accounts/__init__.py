"""Users' place in the system (LAO, province or DLA), their role, and the access rules every view uses."""
