"""The whole schema: imports every package's models so that `Base.metadata` holds every table.

Alembic's autogenerate and the tests that compare the migrated schema with the models import this
module; a new package with tables adds its models here.
"""

from __future__ import annotations

# Each import registers its package's tables on Base.metadata.
import screening.audit.models
import screening.keys.models
import screening.leases
import screening.linking.models
import screening.listings.models
import screening.monitoring.models
import screening.people.models  # noqa: F401
from screening.db import Base

metadata = Base.metadata

__all__ = ["Base", "metadata"]
