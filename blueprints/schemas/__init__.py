"""Marshmallow schemas: the wire contract of the JSON API, shared by the three surfaces."""
