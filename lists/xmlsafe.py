"""Safe XML parsing for list files.

Lists arrive from the network, so a DTD, an entity declaration (the "billion laughs" bomb) or an
external entity is refused outright by defusedxml rather than expanded; a list publisher has no
reason to send any of them.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from screening.errors import ListParseError


def parse_xml(raw: bytes, *, source: str) -> Element:
    """Parse a whole list document; raises ListParseError on malformed or hostile XML."""
    if not raw.strip():
        raise ListParseError("XML file is empty", source=source)
    try:
        root: Element = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ListParseError(f"refused unsafe XML: {exc!r}", source=source) from exc
    except ParseError as exc:
        raise ListParseError(f"malformed XML: {exc}", source=source) from exc
    except (LookupError, ValueError) as exc:
        # An unknown encoding in the XML declaration ("U-F-8") surfaces as LookupError.
        raise ListParseError(f"unreadable XML: {exc}", source=source) from exc
    return root


def local_name(tag: str) -> str:
    """Tag without its namespace: the EU and UK files are namespaced, the UN's is not."""
    return tag.rsplit("}", 1)[-1]
