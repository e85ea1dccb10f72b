"""The gateway's own schema (users, sessions, API keys), migrated by the kernel like a service's."""

from pathlib import Path

from services.core.service import SchemaDefinition
from services.gateway.models import Base

SCHEMA = SchemaDefinition(
    name="gateway", metadata=Base.metadata, migrations=Path(__file__).parent / "migrations" / "versions"
)
