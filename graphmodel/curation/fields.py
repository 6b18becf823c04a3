"""The fields a person may edit, apart from the edit machinery (the command line names them in its help).

>>> "country" in ACTOR_FIELDS and "end" in LINK_FIELDS
True
"""

ACTOR_FIELDS = ("name", "kind", "country", "description", "aliases", "sectors", "countries", "sensitivity")
LINK_FIELDS = ("start", "end", "amount", "currency", "share", "confidence", "sensitivity", "description")
