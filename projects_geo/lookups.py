"""Custom lookups used in database constraints and filters."""

from django.contrib.gis.db.models import GeometryField
from django.db.models import Lookup


@GeometryField.register_lookup
class GeometryTypeIn(Lookup):
    """``geom__geometry_type_in=("POINT", "LINESTRING")`` → ``GeometryType(geom) IN (...)``."""

    lookup_name = "geometry_type_in"
    prepare_rhs = False

    def get_prep_lookup(self):
        return tuple(str(v).upper() for v in self.rhs)

    def get_db_prep_lookup(self, value, connection):
        return ("%s", list(value))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"GeometryType({lhs}) IN ({placeholders})", [*lhs_params, *self.rhs]
