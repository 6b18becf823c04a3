"""What the pages ask of the map, one module per page or family of questions.

Each module answers its page's questions for a viewer, on the map as that
viewer may see it (:func:`dashboard.mapdata.projection`), and returns plain
data: :mod:`.explore` (neighbourhoods, actor and link details, a group's
members), :mod:`.paths`, :mod:`.leverage`, :mod:`.coverage`, :mod:`.brokers`,
:mod:`.overview` (what the map holds, and worked examples), :mod:`.export`
(selections, previews and files), :mod:`.search` (which actor a name or a
picker means, on every page) and :mod:`.warm` (answers prepared before the
first request).

They import :mod:`dashboard.mapdata` and one another, never the pages; the
core imports none of them.
"""
