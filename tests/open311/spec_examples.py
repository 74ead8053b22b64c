"""The example responses of the GeoReport v2 and Service Discovery pages, made valid.

Copied from open311/open311.github.io (GeoReport_v2/index.md, Service_Discovery.md) with one
kind of change: numbers the spec prints unquoted (``"service_code":006``, invalid JSON, and ids
such as ``638344``) are quoted, because the open311/schema-validation schemas type ids, codes,
keys, address ids and zipcodes as strings (reference/open311.md §3). The discovery
``changeset`` values are kept as printed ("2011-02-03 14:18": sortable, not W3C).
"""

SERVICES = [
    {
        "service_code": "001",
        "service_name": "Cans left out 24x7",
        "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "sanitation",
    },
    {
        "service_code": "002",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "street",
        "service_name": "Construction plate shifted",
        "description": "Metal construction plate covering the street or sidewalk has been moved.",
    },
    {
        "service_code": "003",
        "metadata": True,
        "type": "realtime",
        "keywords": "lorem, ipsum, dolor",
        "group": "street",
        "service_name": "Curb or curb ramp defect",
        "description": "Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb.",
    },
]

SERVICE_DEFINITION = {
    "service_code": "DMV66",
    "attributes": [
        {
            "variable": True,
            "code": "WHISHETN",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "What is the ticket/tag/DL number?",
            "values": [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}],
        }
    ],
}

POST_REQUEST_RESPONSE = [
    {
        "service_request_id": "293944",
        "service_notice": "The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code",
        "account_id": None,
    }
]

TOKEN_LOOKUP = [{"service_request_id": "638344", "token": "12345"}]

REQUESTS = [
    {
        "service_request_id": "638344",
        "status": "closed",
        "status_notes": "Duplicate request.",
        "service_name": "Sidewalk and Curb Issues",
        "service_code": "006",
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2010-04-14T06:37:38-08:00",
        "updated_datetime": "2010-04-14T06:37:38-08:00",
        "expected_datetime": "2010-04-15T06:37:38-08:00",
        "address": "8TH AVE and JUDAH ST",
        "address_id": "545483",
        "zipcode": "94122",
        "lat": 37.762221815,
        "long": -122.4651145,
        "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg ",
    },
    {
        "service_request_id": "638349",
        "status": "open",
        "status_notes": None,
        "service_name": "Sidewalk and Curb Issues",
        "service_code": "006",
        "description": None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": "2010-04-19T06:37:38-08:00",
        "updated_datetime": "2010-04-19T06:37:38-08:00",
        "expected_datetime": "2010-04-19T06:37:38-08:00",
        "address": "8TH AVE and JUDAH ST",
        "address_id": "545483",
        "zipcode": "94122",
        "lat": 37.762221815,
        "long": -122.4651145,
        "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638349.jpg",
    },
]

ERRORS = [
    {"code": 403, "description": "Invalid api_key received -- can't proceed with create_request."}
]

DISCOVERY = {
    "changeset": "2011-02-03 14:18",
    "contact": "You can email or call for assistance api@mycity.org +1 (555) 555-5555",
    "key_service": "You can request a key here: http://api.mycity.gov/api_key/request",
    "endpoints": [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://open311.mycity.gov/v2",
            "changeset": "2010-11-23 09:01",
            "type": "production",
            "formats": ["text/xml"],
        },
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://open311.mycity.gov/test/v2",
            "changeset": "2010-10-02 09:01",
            "type": "test",
            "formats": ["text/xml", "application/json"],
        },
        {
            "specification": "http://wiki.open311.org/GeoReport_v3",
            "url": "http://open311.mycity.gov/v3",
            "changeset": "2011-02-03 14:18",
            "type": "test",
            "formats": ["text/xml", "application/json"],
        },
    ],
}
