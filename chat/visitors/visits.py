"""What a visit tells about the visitor: browser, OS and device from the user agent
(ua-parser), city and country from the IP (a GeoIP2 City database at GEOIP_PATH).

Called once when a visit starts; the card shows the stored result.
"""

import functools
import logging

import geoip2.database
import geoip2.errors
import maxminddb
from django.conf import settings
from ua_parser import parse

log = logging.getLogger(__name__)

# ua-parser names no device for desktop browsers; these systems run on computers.
DESKTOP_SYSTEMS = {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Chrome OS", "FreeBSD"}
COMPUTER = "Computer"  # stored as is, translated by the card (chat/visitors/card.py)


def _version(part) -> str:
    version = part.major or ""
    if version and part.minor and part.minor != "0":  # "Chrome 124", "iOS 17.4"
        version += "." + part.minor
    return f"{part.family} {version}".strip()


def describe_user_agent(user_agent: str) -> dict:
    result = parse((user_agent or "")[:1000])
    browser = _version(result.user_agent) if result.user_agent else ""
    system = _version(result.os) if result.os else ""
    if result.device and result.device.family != "Other":
        device = result.device.family
    elif result.os and result.os.family in DESKTOP_SYSTEMS:
        device = COMPUTER
    else:
        device = ""
    return {"browser": browser[:100], "os": system[:100], "device": device[:100]}


@functools.cache
def _reader(path: str):
    """One reader per process and path; a missing or broken file is logged once, then the
    location stays unknown."""
    try:
        language = settings.LANGUAGE_CODE
        locales = [language, language.split("-")[0], "en"]  # names as the installation speaks
        reader = geoip2.database.Reader(path, locales=locales)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as error:  # missing, not mmdb
        log.error("GEOIP_PATH %s cannot be read (%s); visitor locations stay unknown", path, error)
        return None
    if "City" not in reader.metadata().database_type:
        log.error(
            "GEOIP_PATH %s is a %s database, not a City one; visitor locations stay unknown",
            path,
            reader.metadata().database_type,
        )
        reader.close()
        return None
    return reader


@functools.cache
def _damaged(path: str) -> None:
    log.exception("GEOIP_PATH %s is damaged; some visitor locations stay unknown", path)


def locate(ip: str | None) -> dict:
    """{"city", "country"} of an address, empty strings when unknown."""
    reader = _reader(settings.GEOIP_PATH) if settings.GEOIP_PATH and ip else None
    if reader is None:
        return {"city": "", "country": ""}
    try:
        found = reader.city(ip)
    except (geoip2.errors.AddressNotFoundError, ValueError):  # private ranges, bad input
        return {"city": "", "country": ""}
    except maxminddb.InvalidDatabaseError:
        _damaged(settings.GEOIP_PATH)
        return {"city": "", "country": ""}
    return {"city": (found.city.name or "")[:100], "country": (found.country.name or "")[:100]}


def describe(*, ip: str | None, user_agent: str) -> dict:
    """Fields of a new Visit: browser, os, device, city, country."""
    return describe_user_agent(user_agent) | locate(ip)
